// One portal, one browser, journeys in order: each builds on the request the previous one made.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
