"""Competition and judging: entries and teams, rounds with weighted criteria, balanced judge
assignment with conflicts, tablet scoring (JSON API), aggregation, advancement, live final."""
