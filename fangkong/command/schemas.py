"""API bodies of the command: groups, tasks, the duty roster and its log."""

import datetime as dt

from ninja import Field, Schema

from fangkong.grid.schemas import Code, Date, Id, local, required_text, text
from fangkong.inspections.schemas import Moment
from fangkong.registry.schemas import PageIn

from .models import MemberRole, TaskStatus


class GroupMemberOut(Schema):
    id: int
    name: str
    role: MemberRole
    title: str
    phone: str


class GroupOut(Schema):
    id: int
    node: str
    name: str
    duties: str
    active: bool
    members: list[GroupMemberOut]

    @staticmethod
    def resolve_node(obj):
        return obj.node.code

    @staticmethod
    def resolve_members(obj):
        return list(obj.members.all())


class TaskIn(Schema):
    node: Code = Field(description="承办辖区代码")
    group: Id | None = Field(None, description="工作组 id")
    title: required_text(200)
    owner: required_text(50, description="责任人")
    deadline: Moment = Field(description="完成时限；不带时区按北京时间")
    detail: text(5000) = ""


class TaskStatusIn(Schema):
    status: TaskStatus
    note: text(500) = ""


class TaskOut(Schema):
    id: int
    node: str
    group: int | None
    title: str
    owner: str
    deadline: dt.datetime
    status: TaskStatus
    overdue: bool
    note: str
    finished_at: dt.datetime | None

    @staticmethod
    def resolve_node(obj):
        return obj.node.code

    @staticmethod
    def resolve_group(obj):
        return obj.group_id

    @staticmethod
    def resolve_deadline(obj):
        return local(obj.deadline)

    @staticmethod
    def resolve_finished_at(obj):
        return local(obj.finished_at)

    @staticmethod
    def resolve_overdue(obj):
        from django.utils import timezone

        from .rules import task_overdue

        return task_overdue(obj.deadline, obj.status, timezone.now())


class TaskPageOut(Schema):
    count: int
    items: list[TaskOut]


class TaskFilterIn(PageIn):
    state: str = Field("", pattern="^(|open|overdue|done)$", description="open / overdue / done")


class ShiftIn(Schema):
    node: Code = Field(description="值班辖区代码")
    day: Date
    leader: required_text(50, description="带班领导")
    leader_phone: text(20) = ""
    officers: required_text(200, description="值班人员")
    phone: text(20) = ""


class ShiftOut(Schema):
    id: int
    node: str
    day: dt.date
    starts_at: dt.datetime
    ends_at: dt.datetime
    leader: str
    leader_phone: str
    officers: str
    phone: str
    handed_over_at: dt.datetime | None
    received_by: str
    handover_note: str

    @staticmethod
    def resolve_node(obj):
        return obj.node.code

    @staticmethod
    def resolve_starts_at(obj):
        return local(obj.starts_at)

    @staticmethod
    def resolve_ends_at(obj):
        return local(obj.ends_at)

    @staticmethod
    def resolve_handed_over_at(obj):
        return local(obj.handed_over_at)


class ShiftFilterIn(Schema):
    date_from: Date | None = None
    date_to: Date | None = None


EntryText = required_text(500)


class LogEntryIn(Schema):
    at: Moment = Field(description="时间；须在本班次内")
    text: EntryText
    action_taken: text(500) = ""


class LogEntryOut(Schema):
    id: int
    at: dt.datetime
    text: str
    action_taken: str

    @staticmethod
    def resolve_at(obj):
        return local(obj.at)


class HandOverIn(Schema):
    received_by: required_text(50, description="接班人")
    note: text(5000) = Field("", description="交接事项")
