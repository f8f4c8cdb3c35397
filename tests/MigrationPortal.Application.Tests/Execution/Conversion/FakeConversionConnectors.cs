using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Tests.Execution.Conversion;

/// <summary>
/// A connector whose move-within-one-connection roles fail the test if called: a conversion must not snapshot, enforce
/// encryption, transfer, verify or clean up leftovers, nor run the connector's own compute and storage prechecks.
/// </summary>
public abstract class ConversionOnlyConnector(ConversionWorld world) : IHypervisorConnector
{
    public abstract string Kind { get; }

    protected ConversionWorld World => world;

    private Task<T> NotInAConversion<T>(string call)
    {
        world.Record($"UNEXPECTED {call}");
        throw new InvalidOperationException($"A conversion must not call {call}.");
    }

    public Task<ConnectionTestResult> TestConnectionAsync(ConnectionInfo connection, CancellationToken ct) => NotInAConversion<ConnectionTestResult>("TestConnection");
    public Task<InventorySnapshot> CollectInventoryAsync(ConnectionInfo connection, CancellationToken ct) => NotInAConversion<InventorySnapshot>("CollectInventory");
    public Task<IReadOnlyList<PrecheckFinding>> PrecheckAsync(MigrationPlan plan, CancellationToken ct) => NotInAConversion<IReadOnlyList<PrecheckFinding>>("Precheck");
    public Task<string> CreateSnapshotAsync(MigrationPlan plan, CancellationToken ct) => NotInAConversion<string>("CreateSnapshot");
    public Task<SnapshotCleanup> RemoveSnapshotAsync(MigrationPlan plan, string snapshotId, CancellationToken ct) => NotInAConversion<SnapshotCleanup>("RemoveSnapshot");
    public Task<string> EnforceEncryptionAsync(MigrationPlan plan, CancellationToken ct) => NotInAConversion<string>("EnforceEncryption");
    public Task<string> StartTransferAsync(MigrationPlan plan, CancellationToken ct) => NotInAConversion<string>("StartTransfer");
    public Task<TransferOutcome> WatchTransferAsync(MigrationPlan plan, string operationId, Func<TransferProgress, Task> onProgress, CancellationToken ct) => NotInAConversion<TransferOutcome>("WatchTransfer");
    public Task CancelTransferAsync(MigrationPlan plan, string operationId, CancellationToken ct) => NotInAConversion<bool>("CancelTransfer");
    public Task<OperationState> GetOperationStateAsync(MigrationPlan plan, string operationId, CancellationToken ct) => NotInAConversion<OperationState>("GetOperationState");
    public Task<OperationLookup> FindOperationAsync(MigrationPlan plan, DateTimeOffset startedAfter, CancellationToken ct) => NotInAConversion<OperationLookup>("FindOperation");
    public Task<VmPlacement> LocateAsync(MigrationPlan plan, CancellationToken ct) => NotInAConversion<VmPlacement>("Locate");
    public Task<string> RollbackAsync(MigrationPlan plan, CancellationToken ct) => NotInAConversion<string>("Rollback");
    public Task<VerificationResult> VerifyAsync(MigrationPlan plan, CancellationToken ct) => NotInAConversion<VerificationResult>("Verify");
    public Task<CleanupReport> RemoveLeftoversAsync(MigrationPlan plan, MoveEnding ending, CancellationToken ct) => NotInAConversion<CleanupReport>("RemoveLeftovers");
}

/// <summary>The fake vCenter: describes the world's VM, powers it off and on, opens exports, annotates.</summary>
public sealed class FakeVSphereConnector(ConversionWorld world) : ConversionOnlyConnector(world), IConversionSource
{
    public override string Kind => ConnectionKinds.VSphere;

    public Task<ConvertibleVm> DescribeForConversionAsync(MigrationPlan plan, CancellationToken ct)
    {
        World.ThrowAt("describe");
        return Task.FromResult(World.Vm with { PowerState = World.SourcePower });
    }

    public Task<ShutdownResult> ShutDownAsync(MigrationPlan plan, TimeSpan timeout, CancellationToken ct)
    {
        World.Record($"shut-down {timeout.TotalSeconds:0}s");
        World.ThrowAt("shut-down");
        var wasOn = World.SourcePower == PowerState.On;
        World.SourcePower = PowerState.Off;
        return Task.FromResult(new ShutdownResult(wasOn, wasOn ? "ShutdownGuest: the guest powered off." : "Already powered off."));
    }

    public Task PowerOnAsync(MigrationPlan plan, CancellationToken ct)
    {
        World.Record("power-on");
        World.SourcePower = PowerState.On;
        return Task.CompletedTask;
    }

    public Task<IDiskExport> BeginExportAsync(MigrationPlan plan, CancellationToken ct)
    {
        World.Record("begin-export");
        World.ThrowAt("begin-export");
        if (World.SourcePower != PowerState.Off) throw new ConnectorException("InvalidPowerState", "ExportVm needs the VM powered off.");
        return Task.FromResult<IDiskExport>(World.NewExport());
    }

    public Task<IDiskExport?> ResumeExportAsync(MigrationPlan plan, string exportId, CancellationToken ct)
    {
        World.Record($"resume-export {exportId}");
        var found = World.ResumeFindsOpenExport && World.Exports.TryGetValue(exportId, out var e) && e.State == ExportState.Open ? e : null;
        return Task.FromResult<IDiskExport?>(found);
    }

    public Task<string> AbortExportAsync(MigrationPlan plan, string exportId, string reason, CancellationToken ct)
    {
        World.Record($"abort-old-export {exportId}");
        if (!World.Exports.TryGetValue(exportId, out var e)) return Task.FromResult($"lease {exportId} not found");
        var was = e.State;
        e.AbortFromServer(reason);
        return Task.FromResult($"lease {exportId} was {was}, now {e.State}");
    }

    public Task AnnotateAsync(MigrationPlan plan, string note, CancellationToken ct)
    {
        World.Record("annotate");
        World.Annotations.Add(note);
        return Task.CompletedTask;
    }
}

/// <summary>The fake libvirt host: a pool, networks, volumes filled through sinks, domains, and a console that answers or not.</summary>
public sealed class FakeLibvirtConnector(ConversionWorld world) : ConversionOnlyConnector(world), IConversionDestination
{
    public override string Kind => ConnectionKinds.Libvirt;

    public Task<PoolSpace> GetPoolSpaceAsync(MigrationPlan plan, string pool, CancellationToken ct)
    {
        World.Record($"pool-space {pool}");
        return Task.FromResult(World.PoolSpace with { Pool = pool });
    }

    public Task<DomainClash> FindClashAsync(MigrationPlan plan, string name, string? uuid, CancellationToken ct)
    {
        World.Record($"find-clash {name}");
        var byName = World.Domains.ContainsKey(name) ? $"domain {name}" : null;
        var byUuid = uuid is null ? null : World.Domains.Where(d => string.Equals(d.Value, uuid, StringComparison.OrdinalIgnoreCase)).Select(d => $"domain {d.Key}").FirstOrDefault();
        return Task.FromResult(new DomainClash(byName, byUuid));
    }

    public Task<(bool Exists, string Message)> NetworkExistsAsync(MigrationPlan plan, NetworkTargetKind kind, string name, CancellationToken ct) =>
        Task.FromResult(World.Networks.Contains(name) ? (true, $"network {name} is active") : (false, $"no network or bridge named {name}"));

    public Task<IDiskSink> CreateVolumeAsync(MigrationPlan plan, VolumeRef volume, long capacityBytes, CancellationToken ct)
    {
        var key = $"{volume.Pool}/{volume.Name}";
        World.Record(World.Volumes.Remove(key) ? $"create-volume {key} (replaced a leftover)" : $"create-volume {key}");
        var made = new FakeVolume(capacityBytes);
        World.Volumes[key] = made;
        return Task.FromResult<IDiskSink>(new Sink(made));
    }

    public Task DefineDomainAsync(MigrationPlan plan, ConvertedDomainSpec spec, CancellationToken ct)
    {
        World.Record($"define {spec.Name}");
        if (World.Domains.ContainsKey(spec.Name)) throw new ConnectorException("VIR_ERR_OPERATION_FAILED", $"domain '{spec.Name}' already exists");
        World.Domains[spec.Name] = spec.Uuid;
        World.LastSpec = spec;
        World.ThrowAt("define:after");
        return Task.CompletedTask;
    }

    public Task<BootResult> BootAsync(MigrationPlan plan, string domainName, BootProbe probe, CancellationToken ct)
    {
        World.Record($"boot {domainName} '{probe.ConsolePattern}' {probe.Timeout.TotalSeconds:0}s");
        return Task.FromResult(World.BootAnswers
            ? new BootResult(true, "serial console", "MARKER-7f3a sha256=9f86d081884c7d65 web-01 login:")
            : new BootResult(false, "serial console", "Kernel panic - not syncing: VFS: Unable to mount root fs"));
    }

    public Task<CleanupReport> RemoveConvertedAsync(MigrationPlan plan, string domainName, IReadOnlyList<VolumeRef> volumes, CancellationToken ct)
    {
        World.Record($"remove-converted '{domainName}' {volumes.Count}");
        var said = new List<string>();
        if (domainName.Length > 0) said.Add(World.Domains.Remove(domainName) ? $"domain {domainName} undefined" : $"domain {domainName} was not there");
        foreach (var v in volumes)
            said.Add(World.Volumes.Remove($"{v.Pool}/{v.Name}") ? $"volume {v.Pool}/{v.Name} deleted" : $"volume {v.Pool}/{v.Name} was not there");
        return Task.FromResult(CleanupReport.Removed(string.Join(", ", said)));
    }

    private sealed class Sink(FakeVolume volume) : IDiskSink
    {
        public long Capacity => volume.Capacity;
        public long Position => volume.Written;

        public Task WriteAsync(ReadOnlyMemory<byte> data, CancellationToken ct)
        {
            volume.Written += data.Length;
            return Task.CompletedTask;
        }

        public Task SkipAsync(long length, CancellationToken ct)
        {
            volume.Written += length;
            return Task.CompletedTask;
        }

        public Task FinishAsync(CancellationToken ct)
        {
            volume.Written = volume.Capacity;
            volume.Finished = true;
            return Task.CompletedTask;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

/// <summary>The fake qemu-img: reads the source, writes a little data and a hole, reports progress, and fails where the world says.</summary>
public sealed class FakeDiskConverter(ConversionWorld world) : IDiskConverter
{
    private int _calls;

    public async Task ConvertAsync(IRandomAccessDisk source, long capacityBytes, IDiskSink sink, Func<long, Task> onProgress, CancellationToken ct)
    {
        var call = Interlocked.Increment(ref _calls);
        world.Record($"convert {call} {capacityBytes}");
        await sink.WriteAsync(new byte[4096], ct);
        await onProgress(source.Length / 2);
        // Mid-disk: half the source was read and some bytes are in the volume when a fault here strikes.
        world.ThrowAt($"convert:{call}");
        await sink.SkipAsync(capacityBytes - sink.Position, ct);
        await onProgress(source.Length);
    }
}
