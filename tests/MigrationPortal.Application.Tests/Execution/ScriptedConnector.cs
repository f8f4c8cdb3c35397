using MigrationPortal.Application.Abstractions;
using MigrationPortal.Infrastructure.Connectors.Demo;

namespace MigrationPortal.Application.Tests.Execution;

/// <summary>
/// What the scripted hypervisor was asked, and the faults it injects. One per test (a singleton in the harness), so the
/// counts survive the DI scopes of several runs, which is what "exactly once across a retry" is measured on.
/// </summary>
public sealed class HypervisorScript
{
    private int _snapshots, _starts, _snapshotRemovals, _finds;

    public int Snapshots => Volatile.Read(ref _snapshots);
    public int Starts => Volatile.Read(ref _starts);
    public int SnapshotRemovals => Volatile.Read(ref _snapshotRemovals);
    public int Finds => Volatile.Read(ref _finds);
    public List<MoveEnding> LeftoverEndings { get; } = [];

    /// <summary>Thrown by the named call once (then cleared); a <see cref="ConnectorException"/> is a hypervisor fault, anything else a crash.</summary>
    public Func<Exception>? FailStart, FailEnforceEncryption, FailBeforeStart;

    /// <summary>Replaces the demo's answer to "did a transfer start?" while set.</summary>
    public Func<OperationLookup>? FindAnswer;

    /// <summary>Replaces the demo's verification while set.</summary>
    public VerificationResult? Verification;

    /// <summary>Extra precheck findings.</summary>
    public List<PrecheckFinding> ExtraFindings { get; } = [];

    internal void CountSnapshot() => Interlocked.Increment(ref _snapshots);
    internal void CountStart() => Interlocked.Increment(ref _starts);
    internal void CountSnapshotRemoval() => Interlocked.Increment(ref _snapshotRemovals);
    internal void CountFind() => Interlocked.Increment(ref _finds);

    internal static void ThrowOnce(ref Func<Exception>? fault)
    {
        var f = Interlocked.Exchange(ref fault, null);
        if (f is not null) throw f();
    }
}

/// <summary>The demo hypervisor, counting the calls that must happen once and failing where a test says.</summary>
public sealed class ScriptedConnector(DemoConnector demo, HypervisorScript script) : IHypervisorConnector
{
    public string Kind => demo.Kind;

    public async Task<string> CreateSnapshotAsync(MigrationPlan plan, CancellationToken ct)
    {
        script.CountSnapshot();
        return await demo.CreateSnapshotAsync(plan, ct);
    }

    public async Task<SnapshotCleanup> RemoveSnapshotAsync(MigrationPlan plan, string snapshotId, CancellationToken ct)
    {
        script.CountSnapshotRemoval();
        return await demo.RemoveSnapshotAsync(plan, snapshotId, ct);
    }

    public Task<string> EnforceEncryptionAsync(MigrationPlan plan, CancellationToken ct)
    {
        HypervisorScript.ThrowOnce(ref script.FailEnforceEncryption);
        return demo.EnforceEncryptionAsync(plan, ct);
    }

    public async Task<string> StartTransferAsync(MigrationPlan plan, CancellationToken ct)
    {
        HypervisorScript.ThrowOnce(ref script.FailBeforeStart);
        script.CountStart();
        var id = await demo.StartTransferAsync(plan, ct);
        // After the hypervisor started it: the reply is lost on its way back (a crash, a fault on the wire).
        HypervisorScript.ThrowOnce(ref script.FailStart);
        return id;
    }

    public async Task<IReadOnlyList<PrecheckFinding>> PrecheckAsync(MigrationPlan plan, CancellationToken ct) =>
        [.. await demo.PrecheckAsync(plan, ct), .. script.ExtraFindings];

    public async Task<OperationLookup> FindOperationAsync(MigrationPlan plan, DateTimeOffset startedAfter, CancellationToken ct)
    {
        script.CountFind();
        return script.FindAnswer is { } answer ? answer() : await demo.FindOperationAsync(plan, startedAfter, ct);
    }

    public async Task<CleanupReport> RemoveLeftoversAsync(MigrationPlan plan, MoveEnding ending, CancellationToken ct)
    {
        lock (script.LeftoverEndings) script.LeftoverEndings.Add(ending);
        return await demo.RemoveLeftoversAsync(plan, ending, ct);
    }

    public async Task<VerificationResult> VerifyAsync(MigrationPlan plan, CancellationToken ct) =>
        script.Verification ?? await demo.VerifyAsync(plan, ct);

    public Task CancelTransferAsync(MigrationPlan plan, string operationId, CancellationToken ct) => demo.CancelTransferAsync(plan, operationId, ct);
    public Task<ConnectionTestResult> TestConnectionAsync(ConnectionInfo connection, CancellationToken ct) => demo.TestConnectionAsync(connection, ct);
    public Task<InventorySnapshot> CollectInventoryAsync(ConnectionInfo connection, CancellationToken ct) => demo.CollectInventoryAsync(connection, ct);
    public Task<TransferOutcome> WatchTransferAsync(MigrationPlan plan, string operationId, Func<TransferProgress, Task> onProgress, CancellationToken ct) =>
        demo.WatchTransferAsync(plan, operationId, onProgress, ct);
    public Task<OperationState> GetOperationStateAsync(MigrationPlan plan, string operationId, CancellationToken ct) => demo.GetOperationStateAsync(plan, operationId, ct);
    public Task<VmPlacement> LocateAsync(MigrationPlan plan, CancellationToken ct) => demo.LocateAsync(plan, ct);
    public Task<string> RollbackAsync(MigrationPlan plan, CancellationToken ct) => demo.RollbackAsync(plan, ct);
}
