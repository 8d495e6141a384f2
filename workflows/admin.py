from django.contrib import admin

from .models import HolidayChange, SlaPolicy


@admin.register(HolidayChange)
class HolidayChangeAdmin(admin.ModelAdmin):
    list_display = ("date", "is_holiday", "name")
    list_filter = ("is_holiday",)
    date_hierarchy = "date"


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ("stage", "category", "priority", "working_days")
    list_filter = ("stage", "priority", "category")
