using System.Collections.Concurrent;

namespace MigrationPortal.Infrastructure.Connectors.Libvirt;

/// <summary>
/// The libvirt calls this process has in flight (a migration blocks in virDomainMigrateToURI3 for its whole length).
/// It is only a fast path for the process that started the job: libvirt itself stays the truth, so another node, or
/// this one after a restart, follows the job through virDomainGetJobStats and the domain's placement instead.
/// </summary>
public sealed class LibvirtJobRegistry
{
    private readonly ConcurrentDictionary<string, LibvirtRunningJob> _jobs = new();

    internal LibvirtRunningJob Add(string operationId, LibvirtRunningJob job) => _jobs.AddOrUpdate(operationId, job, (_, _) => job);

    internal LibvirtRunningJob? Find(string operationId) => _jobs.TryGetValue(operationId, out var job) ? job : null;

    internal void Remove(string operationId, LibvirtRunningJob job) => _jobs.TryRemove(new KeyValuePair<string, LibvirtRunningJob>(operationId, job));
}

/// <summary>One job on its own thread: its completion carries the outcome message, or libvirt's error.</summary>
internal sealed class LibvirtRunningJob
{
    private readonly TaskCompletionSource<string> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _cancelRequested;

    public Task<string> Completion => _completion.Task;
    public bool CancelRequested => _cancelRequested;

    public void RequestCancel() => _cancelRequested = true;

    /// <summary>Runs the work on a dedicated background thread, so a call that blocks for minutes never holds a thread-pool thread.</summary>
    public void Start(string name, Func<LibvirtRunningJob, string> work)
    {
        var thread = new Thread(() =>
        {
            try
            {
                _completion.SetResult(work(this));
            }
            catch (Exception e)
            {
                _completion.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = name,
        };
        thread.Start();
    }
}
