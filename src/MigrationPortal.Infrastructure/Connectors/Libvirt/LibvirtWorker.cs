using System.Collections.Concurrent;

namespace MigrationPortal.Infrastructure.Connectors.Libvirt;

/// <summary>
/// One dedicated thread that runs blocking libvirt calls in the order they were queued. A stream (a volume upload)
/// is used for minutes through many calls; running them all on one thread of its own keeps the thread pool free while
/// virStreamSend blocks on the network, keeps the calls strictly in order, and lets each failure be read from libvirt's
/// thread-local last error on the thread that made the call.
/// </summary>
internal sealed class LibvirtWorker : IDisposable
{
    private readonly BlockingCollection<Action> _queue = new();
    private readonly Thread _thread;

    public LibvirtWorker(string name)
    {
        _thread = new Thread(Loop) { IsBackground = true, Name = name };
        _thread.Start();
    }

    public Task Run(Action work) => Run(() =>
    {
        work();
        return true;
    });

    public Task<T> Run<T>(Func<T> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _queue.Add(() =>
        {
            try
            {
                done.SetResult(work());
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        });
        return done.Task;
    }

    private void Loop()
    {
        foreach (var work in _queue.GetConsumingEnumerable()) work();
    }

    /// <summary>Lets the queued calls finish, then ends the thread.</summary>
    public void Dispose() => _queue.CompleteAdding();
}
