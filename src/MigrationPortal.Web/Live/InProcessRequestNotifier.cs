using MigrationPortal.Application.Abstractions;

namespace MigrationPortal.Web.Live;

/// <summary>
/// In-process fan-out of "request changed" to the pages open on this node (after eShop's OrderStatusNotificationService).
/// Only a fast path: pages poll the database too, so a job running on another node is still seen within a second.
/// </summary>
public sealed class InProcessRequestNotifier : IRequestChangeNotifier
{
    private event Action<Guid>? Changed;

    public void RequestChanged(Guid requestId) => Changed?.Invoke(requestId);

    /// <summary>Subscribes; dispose the result to unsubscribe (components do it in Dispose).</summary>
    public IDisposable Subscribe(Action<Guid> onChange)
    {
        Changed += onChange;
        return new Subscription(() => Changed -= onChange);
    }

    private sealed class Subscription(Action unsubscribe) : IDisposable
    {
        public void Dispose() => unsubscribe();
    }
}
