using System.Runtime.InteropServices;
using MigrationPortal.Infrastructure.Connectors.Libvirt.Native;
using static MigrationPortal.Infrastructure.Connectors.Libvirt.LibvirtConnection;

namespace MigrationPortal.Infrastructure.Connectors.Libvirt;

/// <summary>One virDomainPtr and the calls the connector makes on it. Dispose releases the pointer, never the domain.</summary>
internal sealed class LibvirtDomain(DomainHandle handle, string host) : IDisposable
{
    // virDomainXMLFlags
    public const uint XmlInactive = 2, XmlMigratable = 8;

    // virDomainMigrateFlags
    public const uint MigrateLive = 1, MigratePeerToPeer = 2, MigratePersistDest = 8, MigrateUndefineSource = 16, MigrateNonSharedDisk = 64,
        MigrateAbortOnError = 4096, MigrateAutoConverge = 8192, MigrateTls = 65536;

    // virDomainBlockCopyFlags / virDomainBlockJobAbortFlags
    public const uint BlockCopyTransientJob = 4, BlockJobAbortPivot = 2;

    // virDomainGetJobStatsFlags
    public const uint JobStatsCompleted = 1, JobStatsKeepCompleted = 2;

    public string Name => Marshal.PtrToStringUTF8(LibvirtNative.virDomainGetName(handle)) ?? throw LibvirtException.FromLastError("virDomainGetName", host);

    public unsafe string Uuid
    {
        get
        {
            var buffer = stackalloc byte[37];
            Check(LibvirtNative.virDomainGetUUIDString(handle, buffer), "virDomainGetUUIDString", host);
            return Marshal.PtrToStringUTF8((nint)buffer) ?? "";
        }
    }

    public DomainState State()
    {
        Check(LibvirtNative.virDomainGetState(handle, out var state, out _, 0), "virDomainGetState", host);
        return (DomainState)state;
    }

    /// <summary>How many libvirt snapshots the domain has (all of them, internal and external): libvirt refuses to migrate such a domain.</summary>
    public int SnapshotCount()
    {
        var count = LibvirtNative.virDomainSnapshotNum(handle, 0);
        return count < 0 ? throw LibvirtException.FromLastError("virDomainSnapshotNum", host) : count;
    }

    public bool IsPersistent()
    {
        var result = LibvirtNative.virDomainIsPersistent(handle);
        return result < 0 ? throw LibvirtException.FromLastError("virDomainIsPersistent", host) : result == 1;
    }

    public string Xml(uint flags = 0) => TakeString(LibvirtNative.virDomainGetXMLDesc(handle, flags), "virDomainGetXMLDesc", host);

    public void SetMaxDowntime(TimeSpan downtime) =>
        Check(LibvirtNative.virDomainMigrateSetMaxDowntime(handle, (ulong)downtime.TotalMilliseconds, 0), "virDomainMigrateSetMaxDowntime", host);

    /// <summary>virDomainMigrateToURI3: blocks until the migration ends, so it runs on a thread of its own.</summary>
    public void MigrateToUri3(string destinationUri, TypedParameters parameters, uint flags) =>
        Check(LibvirtNative.virDomainMigrateToURI3(handle, destinationUri, parameters.Pointer, parameters.Count, flags), "virDomainMigrateToURI3", host);

    public JobStats GetJobStats(uint flags = 0)
    {
        Check(LibvirtNative.virDomainGetJobStats(handle, out var type, out var parameters, out var count, flags), "virDomainGetJobStats", host);
        try
        {
            ulong? U(string name) => LibvirtNative.virTypedParamsGetULLong(parameters, count, name, out var v) == 1 ? v : null;
            int? I(string name) => LibvirtNative.virTypedParamsGetInt(parameters, count, name, out var v) == 1 ? v : null;
            string? S(string name) => LibvirtNative.virTypedParamsGetString(parameters, count, name, out var v) == 1 ? Marshal.PtrToStringUTF8(v) : null;
            return new JobStats((JobType)type, I("operation"), U("time_elapsed"), U("time_remaining"), U("data_total"), U("data_processed"), U("data_remaining"),
                U("memory_bps"), U("disk_bps"), U("memory_dirty_rate"), U("memory_iteration"), U("downtime"), U("disk_total"), U("disk_processed"), I("auto_converge_throttle"), S("errmsg"));
        }
        finally
        {
            LibvirtNative.virTypedParamsFree(parameters, count);
        }
    }

    public void AbortJob() => Check(LibvirtNative.virDomainAbortJob(handle), "virDomainAbortJob", host);

    // virDomainMetadataType / virDomainModificationImpact
    private const int MetadataElement = 2;
    public const uint AffectCurrent = 0, AffectLive = 1, AffectConfig = 2;

    /// <summary>virDomainSetMetadata with an element of its own namespace: replaces that namespace's element, no other.</summary>
    public void SetMetadata(string xml, string key, string namespaceUri, uint flags) =>
        Check(LibvirtNative.virDomainSetMetadata(handle, MetadataElement, xml, key, namespaceUri, flags), "virDomainSetMetadata", host);

    /// <summary>The domain's metadata element in this namespace (live definition when running), or null when it has none.</summary>
    public string? Metadata(string namespaceUri)
    {
        var pointer = LibvirtNative.virDomainGetMetadata(handle, MetadataElement, namespaceUri, AffectCurrent);
        if (pointer != 0) return TakeString(pointer, "virDomainGetMetadata", host);
        var error = LibvirtException.FromLastError("virDomainGetMetadata", host);
        return error.Code == LibvirtException.NoDomainMetadata ? null : throw error;
    }

    public void BeginBackup(string backupXml) => Check(LibvirtNative.virDomainBackupBegin(handle, backupXml, 0, 0), "virDomainBackupBegin", host);

    public void BlockCopy(string disk, string destinationXml, uint flags) =>
        Check(LibvirtNative.virDomainBlockCopy(handle, disk, destinationXml, 0, 0, flags), "virDomainBlockCopy", host);

    /// <summary>The block job on this disk, or null when there is none.</summary>
    public BlockJobInfo? BlockJob(string disk)
    {
        var rc = LibvirtNative.virDomainGetBlockJobInfo(handle, disk, out var info, 0);
        if (rc < 0) throw LibvirtException.FromLastError("virDomainGetBlockJobInfo", host);
        return rc == 0 ? null : info;
    }

    public void BlockJobAbort(string disk, uint flags) => Check(LibvirtNative.virDomainBlockJobAbort(handle, disk, flags), "virDomainBlockJobAbort", host);

    public void Undefine() => Check(LibvirtNative.virDomainUndefineFlags(handle, 0), "virDomainUndefineFlags", host);

    /// <summary>The virDomainPtr, for the calls that live in parts of their own (starting a converted domain, its console).</summary>
    internal DomainHandle Handle => handle;

    /// <summary>The host this domain is on, as errors name it.</summary>
    public string Host => host;

    public void Dispose() => handle.Dispose();
}

/// <summary>virDomainState.</summary>
internal enum DomainState
{
    NoState = 0,
    Running = 1,
    Blocked = 2,
    Paused = 3,
    Shutdown = 4,
    Shutoff = 5,
    Crashed = 6,
    PmSuspended = 7,
}

internal static class DomainStates
{
    /// <summary>A domain with a QEMU process behind it (running, blocked or paused): what "is on this host" means for a move.</summary>
    public static bool IsActive(this DomainState state) => state is DomainState.Running or DomainState.Blocked or DomainState.Paused;
}

/// <summary>virDomainJobType.</summary>
internal enum JobType
{
    None = 0,
    Bounded = 1,
    Unbounded = 2,
    Completed = 3,
    Failed = 4,
    Cancelled = 5,
}

/// <summary>virDomainJobOperation: what a domain job does (VIR_DOMAIN_JOB_OPERATION in the job statistics).</summary>
internal enum JobOperation
{
    Unknown = 0,
    Start = 1,
    Save = 2,
    Restore = 3,
    MigrationIn = 4,
    MigrationOut = 5,
    Snapshot = 6,
    SnapshotRevert = 7,
    Dump = 8,
    Backup = 9,
    SnapshotDelete = 10,
}

/// <summary>The fields of virDomainGetJobStats the portal uses; sizes in bytes, times in milliseconds, rates in bytes/s.</summary>
internal sealed record JobStats(JobType Type, int? Operation, ulong? ElapsedMs, ulong? RemainingMs, ulong? DataTotal, ulong? DataProcessed, ulong? DataRemaining,
    ulong? MemoryBps, ulong? DiskBps, ulong? MemoryDirtyRate, ulong? MemoryIteration, ulong? DowntimeMs, ulong? DiskTotal, ulong? DiskProcessed, int? AutoConvergeThrottle, string? ErrorMessage)
{
    public bool Active => Type is JobType.Bounded or JobType.Unbounded;

    public JobOperation Kind => Operation is { } op ? (JobOperation)op : JobOperation.Unknown;
}

/// <summary>libvirt's domain states (virDomainState), mapped to the portal's power state.</summary>
internal static class LibvirtPowerStates
{
    public static MigrationPortal.Domain.Inventory.PowerState ToPortal(DomainState state) => state switch
    {
        DomainState.Running or DomainState.Blocked => MigrationPortal.Domain.Inventory.PowerState.On,
        DomainState.Paused or DomainState.PmSuspended => MigrationPortal.Domain.Inventory.PowerState.Suspended,
        DomainState.NoState => MigrationPortal.Domain.Inventory.PowerState.Unknown,
        // Shut down, shut off and crashed: the domain runs nowhere.
        _ => MigrationPortal.Domain.Inventory.PowerState.Off,
    };
}
