"""Government-default complaints (政府违约失信投诉): intake from the channels, routing,
answers, arrears, the integrity record and channel callbacks."""
