using System.Runtime.InteropServices;

namespace MigrationPortal.Infrastructure.Connectors.Libvirt.Native;

/// <summary>
/// The part of libvirt's C API the utilisation reading adds: every active domain's statistics in one call per host
/// (virConnectGetAllDomainStats) and the host's own CPU time and memory counters (virNodeGetCPUStats, virNodeGetMemoryStats).
/// </summary>
internal static partial class LibvirtNative
{
    // virDomainStatsTypes
    internal const uint DomainStatsState = 1, DomainStatsCpuTotal = 2, DomainStatsBalloon = 4, DomainStatsVcpu = 8, DomainStatsInterface = 16, DomainStatsBlock = 32;

    // virConnectGetAllDomainStatsFlags (the same bits as virConnectListAllDomainsFlags)
    internal const uint GetAllDomainsStatsActive = 1;

    /// <summary>VIR_NODE_CPU_STATS_ALL_CPUS / VIR_NODE_MEMORY_STATS_ALL_CELLS: the whole host.</summary>
    internal const int NodeStatsAll = -1;

    /// <summary>Returns the number of records, or -1; the records are released with <see cref="virDomainStatsRecordListFree"/> (the handle does it).</summary>
    [LibraryImport(Lib)]
    internal static partial int virConnectGetAllDomainStats(ConnectHandle conn, uint stats, out DomainStatsListHandle records, uint flags);

    [LibraryImport(Lib)]
    internal static partial void virDomainStatsRecordListFree(nint stats);

    /// <summary>Called with a null array and nparams 0 first, libvirt says how many fields it has; then again to fill them.</summary>
    [LibraryImport(Lib)]
    internal static unsafe partial int virNodeGetCPUStats(ConnectHandle conn, int cpuNum, NodeStatsField* parameters, ref int nparams, uint flags);

    /// <summary>As <see cref="virNodeGetCPUStats"/>; the values are in KiB.</summary>
    [LibraryImport(Lib)]
    internal static unsafe partial int virNodeGetMemoryStats(ConnectHandle conn, int cellNum, NodeStatsField* parameters, ref int nparams, uint flags);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int virTypedParamsGetUInt(nint parameters, int nparams, string name, out uint value);

    /// <summary>virDomainGetUUIDString on a domain pointer owned by a stats record (which frees it with the record, so it gets no handle of its own).</summary>
    [LibraryImport(Lib, EntryPoint = "virDomainGetUUIDString")]
    internal static unsafe partial int virDomainGetUUIDStringOfRecord(nint domain, byte* buf);
}

/// <summary>virDomainStatsRecord: the domain (owned by the record) and its typed parameters.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct DomainStatsRecord
{
    public nint Domain;
    public nint Parameters;
    public int Count;
}

/// <summary>virNodeCPUStats and virNodeMemoryStats share this layout: a field name of at most 80 bytes and an unsigned long long.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct NodeStatsField
{
    public const int FieldLength = 80;

    public fixed byte Field[FieldLength];
    public ulong Value;
}
