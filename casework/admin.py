"""The admin is for configuration: regions, units, people, categories and routing. Cases are
shown read-only; they change only through the lifecycle actions."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import (
    Case,
    CaseEvent,
    Category,
    Escalation,
    Notification,
    Region,
    RoutingRule,
    Unit,
    User,
)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "code", "active")
    list_filter = ("kind", "active")
    list_editable = ("active",)
    search_fields = ("code", "name")
    raw_id_fields = ("region",)


class RoutingInline(admin.TabularInline):
    model = RoutingRule
    extra = 0
    raw_id_fields = ("kecamatan",)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "sla_class", "active")
    list_filter = ("sla_class", "active")
    inlines = [RoutingInline]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "unit", "is_active")
    list_filter = ("role", "unit__kind", "is_active", "is_staff")
    raw_id_fields = ("unit",)
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("Unit and role"), {"fields": ("unit", "role")}),
    )


class EventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    can_delete = False
    fields = ("created_at", "action", "from_status", "to_status", "actor", "payload")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ("number", "title", "status", "category", "kecamatan", "created_at")
    list_filter = ("status", "priority", "channel", "category")
    search_fields = ("number", "title")
    inlines = [EventInline]
    list_select_related = ("category", "kecamatan")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdmin):
    list_display = (
        "case",
        "stage",
        "kind",
        "level",
        "unit",
        "due_at",
        "created_at",
        "acknowledged_at",
    )
    list_filter = ("kind", "level", "stage", "unit__kind")
    list_select_related = ("case", "unit")
    raw_id_fields = ("case", "task")


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = (
        "case",
        "template",
        "channel",
        "recipient",
        "status",
        "attempts",
        "created_at",
        "sent_at",
    )
    list_filter = ("status", "channel", "template")
    list_select_related = ("case",)
