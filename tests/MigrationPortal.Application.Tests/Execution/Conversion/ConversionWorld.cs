using System.Collections.Concurrent;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Inventory;

namespace MigrationPortal.Application.Tests.Execution.Conversion;

/// <summary>
/// The fake vCenter and libvirt host of the conversion tests, one per test (a singleton in the harness) so what they hold
/// survives the DI scopes of several runs: the source VM and its power state, the exports, the destination's pools,
/// volumes and domains, every call in order, and the faults a test injects at named points.
/// </summary>
public sealed class ConversionWorld
{
    public const string Datastore = "datastore1";
    public const string Pool = "images";
    public const string SourceNetwork = "VM Network";
    public const string TargetNetwork = "default";
    public const long DiskBytes = 64L * 1024 * 1024;

    private readonly object _gate = new();
    private int _exports;

    public ConvertibleVm Vm { get; set; } = new("vm-42", "web-01", "4211aaaa-bbbb-cccc-dddd-eeeeffff0001", 2, 2048, Firmware.Bios,
        "debian12_64Guest", "Debian GNU/Linux 12 (64-bit)", PowerState.On,
        [
            new("2000", "Hard disk 1", DiskBytes, Datastore, "[datastore1] web-01/web-01.vmdk", DiskBacking.Flat, false),
            new("2001", "Hard disk 2", DiskBytes / 2, Datastore, "[datastore1] web-01/web-01_1.vmdk", DiskBacking.Flat, false),
        ],
        [new("Network adapter 1", "00:50:56:aa:bb:cc", SourceNetwork, "vmxnet3")],
        0);

    public PowerState SourcePower { get; set; } = PowerState.On;

    public List<string> Annotations { get; } = [];

    /// <summary>Every call that reached either side, in order ("shut-down", "begin-export", "convert 2000", "define web-01", ...).</summary>
    public ConcurrentQueue<string> Calls { get; } = new();

    public Dictionary<string, FakeExport> Exports { get; } = [];

    public PoolSpace PoolSpace { get; set; } = new(Pool, 100L * 1024 * 1024 * 1024, 50L * 1024 * 1024 * 1024, true);

    public HashSet<string> Networks { get; } = [TargetNetwork];

    /// <summary>Domains on the target host by name (their UUIDs as the value).</summary>
    public Dictionary<string, string?> Domains { get; } = [];

    /// <summary>Volumes on the target host by "pool/name", with whether their upload finished.</summary>
    public Dictionary<string, FakeVolume> Volumes { get; } = [];

    public ConvertedDomainSpec? LastSpec { get; set; }

    public bool BootAnswers { get; set; } = true;

    /// <summary>Whether ResumeExportAsync finds an open export again (vSphere keeps a lease while it is kept alive).</summary>
    public bool ResumeFindsOpenExport { get; set; } = true;

    /// <summary>Faults by point ("begin-export", "convert:2", "define:after", "describe"), each thrown once.</summary>
    public ConcurrentDictionary<string, Func<Exception>> Faults { get; } = new();

    public void Record(string call) => Calls.Enqueue(call);

    public int Count(string prefix) => Calls.Count(c => c.StartsWith(prefix, StringComparison.Ordinal));

    public void ThrowAt(string point)
    {
        if (Faults.TryRemove(point, out var fault)) throw fault();
    }

    public FakeExport NewExport()
    {
        lock (_gate)
        {
            var id = $"lease-{++_exports}";
            var disks = Vm.Disks.Select(d => new ExportedDisk(d.Key, d.Label, d.CapacityBytes, DiskImageFormat.Vmdk, $"https://esx.lab/nfc/{id}/{d.Key}.vmdk")).ToList();
            var export = new FakeExport(this, id, disks);
            Exports[id] = export;
            return export;
        }
    }

    /// <summary>The exports still open (neither completed nor aborted): a lease the portal forgot.</summary>
    public IEnumerable<FakeExport> OpenExports => Exports.Values.Where(e => e.State == ExportState.Open);
}

public enum ExportState
{
    Open,
    Completed,
    Aborted,
}

public sealed class FakeVolume(long capacity)
{
    public long Capacity { get; } = capacity;
    public long Written { get; set; }
    public bool Finished { get; set; }
}
