"""HTTP routes of the profile: personal data at ``/me`` and each section at ``/me/{section}``.

Handlers only translate HTTP to :class:`ProfileService` calls; the rules live there.
"""

from typing import Annotated
from uuid import UUID

from litestar import Controller, delete, get, patch, post, put
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, QueryParameter, RawBody

from qh.kit.auth import Principal
from qh.kit.http import JSON_BODY
from qh.kit.problems import PROBLEM_JSON, ProblemBody
from qh.kit.shape import decode_object
from qh.user_data.domain.profiles import schemas
from qh.user_data.domain.profiles.sections import SECTIONS, SectionSpec
from qh.user_data.domain.profiles.services import ProfileService

_PROBLEM_TEXT = {
    400: "Malformed request (not JSON, or a parameter of the wrong type)",
    401: "Missing, expired or invalid access token",
    403: "Authenticated, but without the role this route needs",
    404: "No such item in your profile",
    409: "The section is full",
    413: "The request body is too large",
    415: "The body is not JSON",
    422: "A value is invalid; `errors` names each field and what is wrong",
}


def problems(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI entries for the RFC 9457 problems a route can answer."""
    return {
        status: ResponseSpec(
            data_container=ProblemBody,
            description=_PROBLEM_TEXT[status],
            media_type=PROBLEM_JSON,
            generate_examples=False,
        )
        for status in (401, *statuses)
    }


Profiles = NamedDependency[ProfileService]
Caller = NamedDependency[Principal]
Limit = Annotated[int, QueryParameter(ge=1, le=100, description="Items per page")]
Offset = Annotated[int, QueryParameter(ge=0, le=10_000, description="Items to skip")]


class PersonalDataController(Controller):
    """Personal data: name, contacts, location, links, wishes."""

    path = "/me"
    opt = {JSON_BODY: True}  # bodies read with qh.kit.shape are still JSON only
    tags = ["Personal data"]

    @get(
        "/",
        summary="Read your personal data",
        responses=problems(400),
    )
    async def read(self, profiles: Profiles, principal: Caller) -> schemas.PersonalData:
        """The caller's personal data. The profile is created on first access."""
        profile = await profiles.ensure(principal.id)
        return profiles.personal(profile)

    @put("/", summary="Replace your personal data", responses=problems(400, 415, 422))
    async def replace(
        self, profiles: Profiles, principal: Caller, body: RawBody
    ) -> schemas.PersonalData:
        """Replace all personal data; a field left out is cleared. The phone is stored in
        E.164, country codes upper case, the e-mail normalised."""
        return await profiles.replace_personal(principal.id, decode_object(body))

    @patch("/", summary="Change some of your personal data", responses=problems(400, 415, 422))
    async def change(
        self, profiles: Profiles, principal: Caller, body: RawBody
    ) -> schemas.PersonalData:
        """Change the fields given; a field left out stays, `null` clears it. `location`,
        `links` and `desired_salary` are replaced as a whole."""
        return await profiles.patch_personal(principal.id, decode_object(body))


def section_controller(spec: SectionSpec) -> type[Controller]:
    """The five routes of one section, typed with that section's wire types."""
    out_type, page_type = spec.out, spec.page
    noun = spec.title.lower()

    class SectionController(Controller):
        path = f"/me/{spec.name}"
        opt = {JSON_BODY: True}
        tags = [spec.title]

        @get(
            "/",
            summary=f"List your {noun}",
            responses=problems(400),
            operation_id=f"list_{spec.name}",
        )
        async def list_items(
            self, profiles: Profiles, principal: Caller, limit: Limit = 50, offset: Offset = 0
        ) -> page_type:  # type: ignore[valid-type]
            """Items in the candidate's order (`order` 0 first); a new item goes first."""
            return await profiles.list_items(principal.id, spec, limit=limit, offset=offset)

        @post(
            "/",
            summary=f"Add to your {noun}",
            responses=problems(400, 409, 415, 422),
            operation_id=f"create_{spec.name}",
        )
        async def create(
            self,
            profiles: Profiles,
            principal: Caller,
            body: RawBody,
        ) -> out_type:  # type: ignore[valid-type]
            """Add an item, first in the section unless `order` says where."""
            return await profiles.create_item(principal.id, spec, decode_object(body))

        @get(
            "/{item_id:uuid}",
            summary=f"Read one item of your {noun}",
            responses=problems(400, 404),
            operation_id=f"read_{spec.name}",
        )
        async def read(
            self, profiles: Profiles, principal: Caller, item_id: FromPath[UUID]
        ) -> out_type:  # type: ignore[valid-type]
            """One item; another user's item answers 404."""
            return spec.to_out(await profiles.get_item(principal.id, spec, item_id))

        @put(
            "/{item_id:uuid}",
            summary=f"Replace one item of your {noun}",
            responses=problems(400, 404, 415, 422),
            operation_id=f"replace_{spec.name}",
        )
        async def replace(
            self,
            profiles: Profiles,
            principal: Caller,
            item_id: FromPath[UUID],
            body: RawBody,
        ) -> out_type:  # type: ignore[valid-type]
            """Replace every field of the item; it keeps its place unless `order` is given."""
            return await profiles.update_item(
                principal.id, spec, item_id, decode_object(body), replace=True
            )

        @patch(
            "/{item_id:uuid}",
            summary=f"Change one item of your {noun}",
            responses=problems(400, 404, 415, 422),
            operation_id=f"change_{spec.name}",
        )
        async def change(
            self,
            profiles: Profiles,
            principal: Caller,
            item_id: FromPath[UUID],
            body: RawBody,
        ) -> out_type:  # type: ignore[valid-type]
            """Change the fields given (`null` clears one); set `order` to move the item."""
            return await profiles.update_item(
                principal.id, spec, item_id, decode_object(body), replace=False
            )

        @delete(
            "/{item_id:uuid}",
            summary=f"Remove one item of your {noun}",
            responses=problems(400, 404),
            operation_id=f"delete_{spec.name}",
        )
        async def remove(
            self, profiles: Profiles, principal: Caller, item_id: FromPath[UUID]
        ) -> None:
            """Remove the item; the ones after it move up."""
            await profiles.delete_item(principal.id, spec, item_id)

    SectionController.__name__ = f"{spec.title}Controller"
    return SectionController


PROFILE_ROUTES: list[type[Controller]] = [
    PersonalDataController,
    *(section_controller(spec) for spec in SECTIONS.values()),
]
