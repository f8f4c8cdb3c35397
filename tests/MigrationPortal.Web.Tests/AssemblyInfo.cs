// Hangfire keeps its storage in a process-wide static (JobStorage.Current). Several web hosts alive at once in this test
// process would share and dispose each other's storage, so the web test classes run one after another.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
