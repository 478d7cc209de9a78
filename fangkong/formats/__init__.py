"""Dates as users write them, per interface language (settings.FORMAT_MODULE_PATH): 2022年3月1日 in
Chinese, 2022-03-01 in English. Templates name the format (|date:"DATE_FORMAT"), never spell it."""
