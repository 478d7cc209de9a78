"""API bodies of schools."""

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from fangkong.grid.schemas import Date, Id, text


class SchoolIn(Schema):
    node: str = Field(description="所属辖区代码（乡镇、村（社区）或网格）")
    name: text(100)
    stage: str = Field(description="学段：kindergarten/primary/middle/high/nine_year/vocational/other")
    address: text(200) = ""
    opening_date: Date | None = None


class SchoolOut(Schema):
    id: int
    name: str
    stage: str
    node: str = Field(alias="node.code")
    node_name: str = Field(alias="node.name")
    opening_date: dt.date | None


class SchoolClassIn(Schema):
    grade: text(20)
    name: text(30)
    grade_order: int = Field(0, ge=0, le=20)


class SchoolClassOut(Schema):
    id: int
    school: int = Field(alias="school_id")
    grade: str
    name: str


class SchoolMemberIn(Schema):
    name: text(50)
    kind: str = Field("pupil", description="pupil 学生 / staff 教职工")
    sex: text(10) = ""
    id_number: text(40) = ""
    guardian_phone: text(20) = ""


class SchoolMemberOut(Schema):
    id: int
    school: int = Field(alias="school_id")
    school_class: int | None = Field(alias="school_class_id")
    kind: str
    name: str
    id_number: str = Field(alias="masked_id", description="证件号码（脱敏）")
    person: int | None = Field(alias="person_id", description="实有人口中的同一人（按证件号码匹配）")


class CheckMarkIn(Schema):
    member: Id
    status: str = Field(
        description="absent_illness 因病缺勤 / absent_other 其他缺勤 / symptomatic 到校有症状"
    )
    symptoms: list[str] = Field(
        default_factory=list,
        description="fever/cough/sore_throat/rash/diarrhoea/vomiting/conjunctivitis/other",
    )
    temperature: Decimal | None = None
    saw_doctor: bool = False
    diagnosis: text(100) = ""


class SchoolCheckIn(Schema):
    marks: list[CheckMarkIn] = Field(
        default_factory=list, description="只列缺勤和有症状的学生，其余视为到校无症状"
    )
    version: int | None = Field(
        None,
        description="修改已有的晨午检时，填读取时的版本号；版本已变化时返回409（重复提交相同内容不报错）",
    )


class CheckMarkOut(Schema):
    member: int = Field(alias="member_id")
    name: str = Field(alias="member.name")
    status: str
    symptoms: list[str]
    temperature: Decimal | None
    saw_doctor: bool
    diagnosis: str


class SchoolCheckOut(Schema):
    id: int
    school_class: int = Field(alias="school_class_id")
    day: dt.date
    slot: str
    enrolled: int
    present: int
    absent_illness: int
    absent_other: int
    symptomatic: int
    zero_report: bool
    version: int
    marks: list[CheckMarkOut] = Field(alias="entry_list")


class SchoolAbsenceIn(Schema):
    reason: text(100) = ""
    onset: Date | None = None
    saw_doctor: bool = False
    diagnosis: text(100) = ""
    expected_return: Date | None = None
    returned_on: Date | None = None
    certificate: bool = False
    certificate_note: text(100) = ""


class SchoolAbsenceOut(Schema):
    id: int
    member: int = Field(alias="member_id")
    name: str = Field(alias="member.name")
    school: int = Field(alias="school_id")
    first_day: dt.date
    reason: str
    onset: dt.date | None
    saw_doctor: bool
    diagnosis: str
    expected_return: dt.date | None
    returned_on: dt.date | None
    certificate: bool


class CompletenessSchoolOut(Schema):
    school: int = Field(alias="school_id")
    name: str
    classes: int
    morning: int
    noon: int
    zero_morning: int
    zero_noon: int
    missing: int


class CompletenessOut(Schema):
    township: str = Field(alias="node.code")
    township_name: str = Field(alias="node.name")
    classes: int
    checks: int
    zero_reports: int
    expected: int
    schools: list[CompletenessSchoolOut]
