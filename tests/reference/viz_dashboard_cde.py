"""California School Dashboard five-by-five grids and published placements (CDE).

Transcribed by hand from the California Department of Education's "School Dashboard
Additional Reports and Data" pages (public web pages, read through a stored copy):

1. 2018 Chronic Absenteeism Indicator, student-group five-by-five placement,
   https://www6.cde.ca.gov/californiamodel/grid?indicator=chron&year=2018&cdcode=&scode=6100325&reporttype=sgroups
   Rows (status): Very Low 2.5% or less; Low more than 2.5% to 5.0%; Medium more than 5.0%
   to 10.0%; High more than 10.0% to 20.0%; Very High more than 20.0%.
   Columns (change): Increased Significantly by greater than 3.0%; Increased by 0.5% up to
   3.0%; Maintained declined or increased by less than 0.5%; Declined by 0.5% to less
   than 3.0%; Declined Significantly by 3.0% or more.
2. 2018 Suspension Rate (Unified) five-by-five placement,
   https://www6.cde.ca.gov/californiamodel/grid?indicator=susp&year=2018&cdcode=&scode=6069371&reporttype=sgroups
   Very Low 1.0% or less; Low >1.0-2.5; Medium >2.5-4.5; High >4.5-8.0; Very High >8.0.
   Increased Significantly >2.0; Increased 0.3-2.0; Maintained <0.3; Declined 0.3 to <2.0;
   Declined Significantly 2.0 or greater.
3. 2019 Suspension Rate (Elementary School) five-by-five placement,
   https://www6.cde.ca.gov/californiamodel/grid?indicator=susp&year=2019&cdcode=&scode=6058945&reporttype=sgroups
   Very Low 0.5% or less; Low >0.5-1.0; Medium >1.0-3.0; High >3.0-6.0; Very High >6.0.
   Increased Significantly >2.0; Increased 0.3-2.0; Maintained <0.3; Declined 0.3 to <1.0;
   Declined Significantly 1.0 or greater.
4. 2023 Suspension Rate (Unified) Indicator, State of California, state-level report,
   https://www6.cde.ca.gov/californiamodel/report?cdcode=0000000&indicator=susp&year=2023
   (student group, colour, status level, change level, current rate, difference).

Colours are listed row by row (status Very Low..Very High), columns in the CDE order
(Increased Significantly, Increased, Maintained, Declined, Declined Significantly); "Gray"
is a cell the CDE grid shows as "Gray (N/A)".
"""

CHRONIC_2018_COLORS = (
    ("Yellow", "Green", "Blue", "Blue", "Blue"),
    ("Orange", "Yellow", "Green", "Green", "Blue"),
    ("Orange", "Orange", "Yellow", "Green", "Green"),
    ("Red", "Orange", "Orange", "Yellow", "Yellow"),
    ("Red", "Red", "Red", "Orange", "Yellow"),
)
CHRONIC_2018_STATUS_CUTS = (2.5, 5.0, 10.0, 20.0)

SUSP_UNIFIED_2018_COLORS = (
    ("Gray", "Green", "Blue", "Blue", "Blue"),
    ("Orange", "Yellow", "Green", "Green", "Blue"),
    ("Orange", "Orange", "Yellow", "Green", "Green"),
    ("Red", "Orange", "Orange", "Yellow", "Yellow"),
    ("Red", "Red", "Red", "Orange", "Yellow"),
)
SUSP_ES_2019_COLORS = (
    ("Gray", "Green", "Blue", "Blue", "Blue"),
    ("Gray", "Yellow", "Green", "Green", "Blue"),
    ("Orange", "Orange", "Yellow", "Green", "Green"),
    ("Red", "Orange", "Orange", "Yellow", "Yellow"),
    ("Red", "Red", "Red", "Orange", "Yellow"),
)

# (student group, colour, status level, change level, current rate %, change in points)
SUSP_UNIFIED_STATE_2023 = (
    ("All Students", "Orange", "Medium", "Increased", 3.5, 0.4),
    ("English Learners", "Orange", "Medium", "Increased", 3.7, 0.5),
    ("Foster Youth", "Red", "Very High", "Increased", 13.6, 1.2),
    ("Homeless", "Orange", "High", "Increased", 6.5, 1.0),
    ("Socioeconomically Disadvantaged", "Orange", "Medium", "Increased", 4.5, 0.5),
    ("Students with Disabilities", "Orange", "High", "Increased", 5.9, 0.5),
    ("African American", "Red", "Very High", "Increased", 8.8, 0.9),
    ("American Indian or Alaska Native", "Orange", "High", "Increased", 7.4, 1.0),
    ("Asian", "Green", "Low", "Maintained", 1.1, 0.2),
    ("Filipino", "Green", "Low", "Maintained", 1.3, 0.1),
    ("Hispanic", "Orange", "Medium", "Increased", 3.8, 0.5),
    ("Native Hawaiian or Pacific Islander", "Orange", "High", "Increased", 4.9, 0.4),
    ("White", "Yellow", "Medium", "Maintained", 2.9, 0.2),
    ("Two or More Races", "Orange", "Medium", "Increased", 3.3, 0.4),
)

# 2022 state-level unified suspension status levels (status only was reported in 2022):
# https://www6.cde.ca.gov/californiamodel/report?cdcode=0000000&indicator=susp&year=2022
SUSP_UNIFIED_STATE_2022_STATUS = (
    ("Asian", 0.9, "Very Low"),
    ("Filipino", 1.2, "Low"),
    ("White", 2.6, "Medium"),
    ("Native Hawaiian or Pacific Islander", 4.5, "Medium"),
    ("Homeless", 5.5, "High"),
    ("African American", 7.9, "High"),
    ("Foster Youth", 12.4, "Very High"),
)
