"""The portal's date formats (FORMAT_MODULE_PATH): one style per language, day before month.

Django's English formats mix "March 10, 2027" (DATE_FORMAT) with "06/09/2025"
(SHORT_DATE_FORMAT); its Turkish ones write "03 Aralık". Here both languages write the day, the
month's name and the year, in that order, everywhere; templates use these names
(``|date:"DATE_FORMAT"``), never a format of their own. Numbers keep Django's separators
(Turkish 1.393,5; English 1,393.5).
"""
