using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Xml.Linq;
using MigrationPortal.Infrastructure.Connectors.Libvirt.Native;

namespace MigrationPortal.Infrastructure.Connectors.Libvirt;

/// <summary>
/// One open libvirt connection (virConnectPtr) and the calls the connector makes on it. Every call is synchronous and
/// may block on the network, so callers run it off the request thread (see <see cref="LibvirtConnector"/>); a failed
/// call throws <see cref="LibvirtException"/> with libvirt's own error, read on the same thread.
/// </summary>
internal sealed class LibvirtConnection : IDisposable
{
    private static int _quieted;
    private readonly ConnectHandle _handle;

    private LibvirtConnection(ConnectHandle handle, string uri)
    {
        _handle = handle;
        Uri = uri;
        Host = uri;
        try
        {
            Host = $"{Hostname()} ({uri})";
        }
        catch (LibvirtException)
        {
            // The URI alone still names the host; the call that matters will report its own failure.
        }
    }

    /// <summary>The URI as the portal gave it (without any pkipath the portal added).</summary>
    public string Uri { get; }

    /// <summary>The host's name and URI, as every error from a call on this connection names it.</summary>
    public string Host { get; }

    /// <summary>The virConnectPtr, for the calls that live in parts of their own (the conversion's volumes, streams and networks).</summary>
    internal ConnectHandle Handle => _handle;

    public static LibvirtConnection Open(string uri, string? openUri = null)
    {
        QuietLibvirt();
        var handle = LibvirtNative.virConnectOpen(openUri ?? uri);
        if (handle.IsInvalid)
        {
            var error = LibvirtException.FromLastError("virConnectOpen", uri);
            handle.Dispose();
            throw error;
        }

        return new LibvirtConnection(handle, uri);
    }

    /// <summary>libvirt's default error handler prints every error to stderr; the portal reports them as exceptions instead.</summary>
    internal static unsafe void QuietLibvirt()
    {
        if (Interlocked.Exchange(ref _quieted, 1) == 1) return;
        LibvirtNative.virSetErrorFunc(0, &IgnoreError);
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void IgnoreError(nint userData, nint error)
    {
        // Deliberately empty: the error stays in libvirt's thread-local slot, where FromLastError reads it.
    }

    public string Hostname() => TakeString(LibvirtNative.virConnectGetHostname(_handle), "virConnectGetHostname", Host);

    public string Capabilities() => TakeString(LibvirtNative.virConnectGetCapabilities(_handle), "virConnectGetCapabilities", Host);

    public NodeFacts NodeInfo()
    {
        Check(LibvirtNative.virNodeGetInfo(_handle, out var info), "virNodeGetInfo", Host);
        string model;
        unsafe { model = Marshal.PtrToStringUTF8((nint)info.Model) ?? ""; }
        var free = LibvirtNative.virNodeGetFreeMemory(_handle);
        if (free == 0) throw LibvirtException.FromLastError("virNodeGetFreeMemory", Host);
        return new NodeFacts(model, (int)info.Cpus, (long)info.MemoryKiB * 1024, (long)free);
    }

    /// <summary>virConnectCompareCPU; an error (-1) throws.</summary>
    public CpuCompareResult CompareCpu(string cpuXml)
    {
        var result = LibvirtNative.virConnectCompareCPU(_handle, cpuXml, 0);
        return result < 0 ? throw LibvirtException.FromLastError("virConnectCompareCPU", Host) : (CpuCompareResult)result;
    }

    /// <summary>
    /// virConnectCompareHypervisorCPU: whether this host's hypervisor (QEMU, with the domain's virtualization type,
    /// emulator, architecture and machine type) can provide the CPU; same results as <see cref="CompareCpu"/>.
    /// </summary>
    public CpuCompareResult CompareHypervisorCpu(string? emulator, string? arch, string? machine, string? virtType, string cpuXml)
    {
        var result = LibvirtNative.virConnectCompareHypervisorCPU(_handle, emulator, arch, machine, virtType, cpuXml, 0);
        return result < 0 ? throw LibvirtException.FromLastError("virConnectCompareHypervisorCPU", Host) : (CpuCompareResult)result;
    }

    public IReadOnlyList<LibvirtDomain> ListDomains()
    {
        var count = LibvirtNative.virConnectListAllDomains(_handle, out var array, 0);
        if (count < 0) throw LibvirtException.FromLastError("virConnectListAllDomains", Host);
        return TakeArray(array, count, p => new LibvirtDomain(new DomainHandle(p), Host));
    }

    /// <summary>The domain with this UUID, or null when this host has none (VIR_ERR_NO_DOMAIN).</summary>
    public LibvirtDomain? FindDomain(string uuid)
    {
        var handle = LibvirtNative.virDomainLookupByUUIDString(_handle, uuid);
        if (!handle.IsInvalid) return new LibvirtDomain(handle, Host);
        var error = LibvirtException.FromLastError("virDomainLookupByUUIDString", Host);
        handle.Dispose();
        return error.Code == LibvirtException.NoDomain ? null : throw error;
    }

    public LibvirtDomain RequireDomain(string uuid) =>
        FindDomain(uuid) ?? throw new LibvirtException(LibvirtException.NoDomain, LibvirtException.FromNone, $"Domain not found: no domain with UUID {uuid}.", "virDomainLookupByUUIDString", Host);

    public LibvirtDomain DefineDomain(string xml)
    {
        var handle = LibvirtNative.virDomainDefineXML(_handle, xml);
        if (!handle.IsInvalid) return new LibvirtDomain(handle, Host);
        handle.Dispose();
        throw LibvirtException.FromLastError("virDomainDefineXML", Host);
    }

    /// <param name="refresh">Refresh each active pool first (virStoragePoolRefresh): a dir pool knows only the files it saw at its last refresh.</param>
    public IReadOnlyList<PoolFacts> ListPools(bool refresh = false)
    {
        var count = LibvirtNative.virConnectListAllStoragePools(_handle, out var array, 0);
        if (count < 0) throw LibvirtException.FromLastError("virConnectListAllStoragePools", Host);
        var handles = TakeArray(array, count, p => new StoragePoolHandle(p));
        try
        {
            if (refresh)
                foreach (var pool in handles)
                    if (LibvirtNative.virStoragePoolIsActive(pool) == 1 && LibvirtNative.virStoragePoolRefresh(pool, 0) < 0)
                        LibvirtNative.virResetLastError(); // e.g. a volume being built: its last known sizes are still the best answer
            return handles.Select(ReadPool).ToList();
        }
        finally
        {
            foreach (var h in handles) h.Dispose();
        }
    }

    public PoolFacts? FindPool(string name, bool refresh)
    {
        using var pool = LibvirtNative.virStoragePoolLookupByName(_handle, name);
        if (pool.IsInvalid)
        {
            var error = LibvirtException.FromLastError("virStoragePoolLookupByName", Host);
            return error.Code == LibvirtException.NoStoragePool ? null : throw error;
        }

        if (refresh) Check(LibvirtNative.virStoragePoolRefresh(pool, 0), "virStoragePoolRefresh", Host);
        return ReadPool(pool);
    }

    /// <summary>The volume at this path, or null when no pool on this host holds it.</summary>
    /// <param name="refresh">Refresh the pool whose directory holds the path first, so a file it has not seen yet is found.</param>
    public VolumeFacts? FindVolume(string path, bool refresh = false)
    {
        if (refresh) RefreshPoolHolding(path);
        using var vol = LibvirtNative.virStorageVolLookupByPath(_handle, path);
        if (vol.IsInvalid)
        {
            var error = LibvirtException.FromLastError("virStorageVolLookupByPath", Host);
            return error.Code == LibvirtException.NoStorageVol ? null : throw error;
        }

        Check(LibvirtNative.virStorageVolGetInfo(vol, out var info), "virStorageVolGetInfo", Host);
        return new VolumeFacts(path, (long)info.Capacity, (long)info.Allocation);
    }

    /// <summary>Deletes the volume at this path; false when no pool holds it.</summary>
    public bool DeleteVolume(string path)
    {
        // A file QEMU wrote (a backup, a copy) is unknown to its pool until the pool is refreshed.
        RefreshPoolHolding(path);
        using var vol = LibvirtNative.virStorageVolLookupByPath(_handle, path);
        if (vol.IsInvalid)
        {
            var error = LibvirtException.FromLastError("virStorageVolLookupByPath", Host);
            return error.Code == LibvirtException.NoStorageVol ? false : throw error;
        }

        Check(LibvirtNative.virStorageVolDelete(vol, 0), "virStorageVolDelete", Host);
        return true;
    }

    /// <summary>
    /// Whether a file exists on this host. libvirt has no call to ask a host about a file, so it is looked up in the
    /// pool that holds its folder (after a refresh), or, for a folder no pool covers, in a transient dir pool made for
    /// the look-up and destroyed right after (it lists the folder and leaves nothing behind). A folder that does not
    /// exist means no file.
    /// </summary>
    public bool FileExists(string path)
    {
        var directory = Path.GetDirectoryName(path);
        if (string.IsNullOrEmpty(directory)) return false;
        if (ListPools().Any(p => p.Running && p.Path == directory)) return FindVolume(path, refresh: true) is not null;
        var xml = $"<pool type='dir'><name>mp-probe-{Guid.NewGuid():N}</name><target><path>{System.Security.SecurityElement.Escape(directory)}</path></target></pool>";
        using var probe = LibvirtNative.virStoragePoolCreateXML(_handle, xml, 0);
        if (probe.IsInvalid)
        {
            var error = LibvirtException.FromLastError("virStoragePoolCreateXML", Host);
            return error.Code == LibvirtException.SystemError && error.LibvirtMessage.Contains("No such file or directory", StringComparison.Ordinal) ? false : throw error;
        }

        try
        {
            return FindVolume(path) is not null;
        }
        finally
        {
            if (LibvirtNative.virStoragePoolDestroy(probe) < 0) LibvirtNative.virResetLastError(); // transient: destroying it removes it
        }
    }

    private void RefreshPoolHolding(string path)
    {
        var directory = Path.GetDirectoryName(path);
        var holder = ListPools().FirstOrDefault(p => p.Running && p.Path == directory);
        if (holder is not null) FindPool(holder.Name, refresh: true);
    }

    /// <summary>The paths of the volumes in a pool (after a refresh, so files written behind libvirt's back show too).</summary>
    public IReadOnlyList<string> ListVolumePaths(string poolName)
    {
        using var pool = LibvirtNative.virStoragePoolLookupByName(_handle, poolName);
        if (pool.IsInvalid) throw LibvirtException.FromLastError("virStoragePoolLookupByName", Host);
        Check(LibvirtNative.virStoragePoolRefresh(pool, 0), "virStoragePoolRefresh", Host);
        var count = LibvirtNative.virStoragePoolListAllVolumes(pool, out var array, 0);
        if (count < 0) throw LibvirtException.FromLastError("virStoragePoolListAllVolumes", Host);
        var paths = new List<string>(count);
        foreach (var vol in TakeArray(array, count, p => new StorageVolHandle(p)))
            using (vol) paths.Add(TakeString(LibvirtNative.virStorageVolGetPath(vol), "virStorageVolGetPath", Host));
        return paths;
    }

    private PoolFacts ReadPool(StoragePoolHandle pool)
    {
        var name = Marshal.PtrToStringUTF8(LibvirtNative.virStoragePoolGetName(pool)) ?? throw LibvirtException.FromLastError("virStoragePoolGetName", Host);
        Check(LibvirtNative.virStoragePoolGetInfo(pool, out var info), "virStoragePoolGetInfo", Host);
        var xml = XDocument.Parse(TakeString(LibvirtNative.virStoragePoolGetXMLDesc(pool, 0), "virStoragePoolGetXMLDesc", Host));
        var path = xml.Root?.Element("target")?.Element("path")?.Value;
        var type = xml.Root?.Attribute("type")?.Value ?? "";
        var uuid = xml.Root?.Element("uuid")?.Value ?? "";
        return new PoolFacts(name, uuid, type, path, (StoragePoolState)info.State == StoragePoolState.Running, (long)info.Capacity, (long)info.Available);
    }

    internal static string TakeString(nint pointer, string operation, string? host)
    {
        if (pointer == 0) throw LibvirtException.FromLastError(operation, host);
        try
        {
            return Marshal.PtrToStringUTF8(pointer) ?? "";
        }
        finally
        {
            unsafe { NativeMemory.Free((void*)pointer); } // libvirt allocates with malloc; NativeMemory.Free is free() on Unix
        }
    }

    private static List<T> TakeArray<T>(nint array, int count, Func<nint, T> wrap)
    {
        var items = new List<T>(count);
        unsafe
        {
            var p = (nint*)array;
            for (var i = 0; i < count; i++) items.Add(wrap(p[i]));
            NativeMemory.Free((void*)array);
        }

        return items;
    }

    internal static void Check(int rc, string operation, string? host)
    {
        if (rc < 0) throw LibvirtException.FromLastError(operation, host);
    }

    public void Dispose() => _handle.Dispose();
}

internal sealed record NodeFacts(string CpuModel, int Cpus, long MemoryBytes, long FreeMemoryBytes);

internal sealed record PoolFacts(string Name, string Uuid, string Type, string? Path, bool Running, long CapacityBytes, long AvailableBytes);

internal sealed record VolumeFacts(string Path, long CapacityBytes, long AllocationBytes);

/// <summary>virCPUCompareResult (VIR_CPU_COMPARE_ERROR, -1, is thrown as a <see cref="LibvirtException"/> instead).</summary>
internal enum CpuCompareResult
{
    Incompatible = 0,
    Identical = 1,
    Superset = 2,
}

/// <summary>virStoragePoolState.</summary>
internal enum StoragePoolState
{
    Inactive = 0,
    Building = 1,
    Running = 2,
    Degraded = 3,
    Inaccessible = 4,
}
