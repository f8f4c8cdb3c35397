using System.Collections.Concurrent;

namespace MigrationPortal.Web.Tests.TestKind;

/// <summary>
/// The toy hypervisor's whole state, in memory, one world per endpoint (toy://name), so tests that each make their own
/// world never see each other's. Transfers wait until the test opens the gate, so a test can look at the portal while
/// one runs.
/// </summary>
public sealed class ToyWorld
{
    private static readonly ConcurrentDictionary<string, ToyWorld> Worlds = new(StringComparer.Ordinal);

    public static ToyWorld For(string endpoint) => Worlds.GetOrAdd(endpoint, _ => new ToyWorld());

    public sealed record Vm(string Id, string Name, string Host, string Datastore, string Application);

    public sealed record Transfer(string Id, string VmId, string? TargetHost, DateTimeOffset StartedAt);

    private readonly object _gate = new();
    private readonly TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<string> Hosts { get; } = ["pen-1", "pen-2"];

    public ConcurrentDictionary<string, Vm> Vms { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, Transfer> Transfers { get; } = new(StringComparer.Ordinal);

    /// <summary>Photocopies taken and not yet shredded, by ID.</summary>
    public ConcurrentDictionary<string, string> Photocopies { get; } = new(StringComparer.Ordinal);

    public int TransfersStarted => Transfers.Count;

    /// <summary>Lets every waiting and future transfer finish.</summary>
    public void OpenGate() => _opened.TrySetResult();

    public Task GateOpened(CancellationToken ct) => _opened.Task.WaitAsync(ct);

    public void Add(Vm vm) => Vms[vm.Id] = vm;

    public void Move(string vmId, string host)
    {
        lock (_gate) Vms[vmId] = Vms[vmId] with { Host = host };
    }
}
