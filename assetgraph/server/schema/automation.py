"""GraphQL types of schedules and sensors with their ticks; start and stop mutations. Their
RUNNING/STOPPED state lives in the instance's key-values (see `services.instigator_state_key`)."""

from __future__ import annotations

import strawberry

from assetgraph.server import services
from assetgraph.server.context import in_thread
from assetgraph.server.schema.common import Info, ctx
from assetgraph.server.security import MutationAllowed
from assetgraph.storage.daemon_state import TickRecord


@strawberry.type(description="One evaluation of a schedule or sensor.")
class Tick:
    id: str
    status: str
    timestamp: float
    run_ids: list[str]
    skip_reason: str | None
    error: str | None
    cursor: str | None

    @staticmethod
    def of(tick: TickRecord) -> Tick:
        body = tick.body
        error = body.get("error")
        return Tick(id=str(tick.id), status=tick.status, timestamp=tick.timestamp,
                    run_ids=[str(r) for r in body.get("run_ids", [])],
                    skip_reason=body.get("skip_message") or body.get("skip_reason"),
                    error=error.get("message") if isinstance(error, dict) else (str(error) if error else None),
                    cursor=body.get("cursor"))


async def _ticks(location: str, name: str, info: Info, first: int) -> list[Tick]:
    from assetgraph.orchestration.instigators import instigator_id

    found = await in_thread(services.ticks, ctx(info).instance, instigator_id(location, name), first)
    return [Tick.of(t) for t in found]


@strawberry.type
class Schedule:
    name: str
    location: str
    status: str = strawberry.field(description="RUNNING or STOPPED.")
    cron_schedule: str | None
    execution_timezone: str | None
    job_name: str | None
    description: str | None

    @strawberry.field(description="Evaluations, newest first.")
    async def ticks(self, info: Info, first: int = 20) -> list[Tick]:
        return await _ticks(self.location, self.name, info, first)


@strawberry.type
class Sensor:
    name: str
    location: str
    status: str = strawberry.field(description="RUNNING or STOPPED.")
    minimum_interval_seconds: int | None
    job_name: str | None
    description: str | None

    @strawberry.field(description="Evaluations, newest first.")
    async def ticks(self, info: Info, first: int = 20) -> list[Tick]:
        return await _ticks(self.location, self.name, info, first)


def schedule_of(found: services.Instigator) -> Schedule:
    e = found.entry
    return Schedule(name=found.name, location=found.location, status=found.status,
                    cron_schedule=e.get("cron_schedule"), execution_timezone=e.get("execution_timezone"),
                    job_name=e.get("job"), description=e.get("description"))


def sensor_of(found: services.Instigator) -> Sensor:
    e = found.entry
    interval = e.get("minimum_interval_seconds")
    return Sensor(name=found.name, location=found.location, status=found.status,
                  minimum_interval_seconds=int(interval) if interval is not None else None,
                  job_name=e.get("job"), description=e.get("description"))


@strawberry.type
class AutomationQueries:
    @strawberry.field
    async def schedules(self, info: Info) -> list[Schedule]:
        c = ctx(info)
        return [schedule_of(s) for s in await in_thread(services.instigators, c.instance, c.index, "schedules")]

    @strawberry.field
    async def sensors(self, info: Info) -> list[Sensor]:
        c = ctx(info)
        return [sensor_of(s) for s in await in_thread(services.instigators, c.instance, c.index, "sensors")]


@strawberry.type
class AutomationMutations:
    @strawberry.mutation(permission_classes=[MutationAllowed])
    async def start_schedule(self, info: Info, name: str) -> Schedule:
        c = ctx(info)
        return schedule_of(await in_thread(services.set_instigator_state, c.instance, c.index, "schedules", name, True))

    @strawberry.mutation(permission_classes=[MutationAllowed])
    async def stop_schedule(self, info: Info, name: str) -> Schedule:
        c = ctx(info)
        return schedule_of(await in_thread(services.set_instigator_state, c.instance, c.index, "schedules", name, False))

    @strawberry.mutation(permission_classes=[MutationAllowed])
    async def start_sensor(self, info: Info, name: str) -> Sensor:
        c = ctx(info)
        return sensor_of(await in_thread(services.set_instigator_state, c.instance, c.index, "sensors", name, True))

    @strawberry.mutation(permission_classes=[MutationAllowed])
    async def stop_sensor(self, info: Info, name: str) -> Sensor:
        c = ctx(info)
        return sensor_of(await in_thread(services.set_instigator_state, c.instance, c.index, "sensors", name, False))
