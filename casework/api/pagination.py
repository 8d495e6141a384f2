"""Page-number pagination of the API's lists: ``count``, ``next``, ``previous``, ``results``."""

from rest_framework.pagination import PageNumberPagination


class CasePagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
