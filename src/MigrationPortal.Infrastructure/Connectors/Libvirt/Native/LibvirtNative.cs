using System.Runtime.InteropServices;

namespace MigrationPortal.Infrastructure.Connectors.Libvirt.Native;

/// <summary>
/// Source-generated P/Invoke declarations for the part of libvirt's C API the connector uses, and nothing more.
/// "libvirt.so.0" is the runtime library of Debian's libvirt0 package; the unversioned name needs libvirt-dev.
/// Object pointers come back as safe handles, so every virConnect/virDomain/virStoragePool/virStorageVol is released exactly once.
/// </summary>
internal static partial class LibvirtNative
{
    private const string Lib = "libvirt.so.0";

    // --- errors -----------------------------------------------------------------------------------------------
    [LibraryImport(Lib)]
    internal static unsafe partial void virSetErrorFunc(nint userData, delegate* unmanaged[Cdecl]<nint, nint, void> handler);

    [LibraryImport(Lib)]
    internal static partial int virGetLastErrorCode();

    [LibraryImport(Lib)]
    internal static partial int virGetLastErrorDomain();

    [LibraryImport(Lib)]
    internal static partial nint virGetLastErrorMessage(); // const char*, owned by libvirt (thread-local)

    [LibraryImport(Lib)]
    internal static partial void virResetLastError();

    [LibraryImport(Lib)]
    internal static partial int virGetVersion(out ulong libVersion, nint type, nint typeVersion);

    // --- connections --------------------------------------------------------------------------------------------
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial ConnectHandle virConnectOpen(string name);

    [LibraryImport(Lib)]
    internal static partial int virConnectClose(nint conn);

    [LibraryImport(Lib)]
    internal static partial nint virConnectGetHostname(ConnectHandle conn); // char*, caller frees

    [LibraryImport(Lib)]
    internal static partial nint virConnectGetURI(ConnectHandle conn); // char*, caller frees

    [LibraryImport(Lib)]
    internal static partial int virConnectGetLibVersion(ConnectHandle conn, out ulong libVer);

    [LibraryImport(Lib)]
    internal static partial int virNodeGetInfo(ConnectHandle conn, out NodeInfo info);

    [LibraryImport(Lib)]
    internal static partial ulong virNodeGetFreeMemory(ConnectHandle conn);

    [LibraryImport(Lib)]
    internal static partial nint virConnectGetCapabilities(ConnectHandle conn); // char*, caller frees

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int virConnectCompareCPU(ConnectHandle conn, string xmlDesc, uint flags);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int virConnectCompareHypervisorCPU(ConnectHandle conn, string? emulator, string? arch, string? machine, string? virttype, string xmlCPU, uint flags);

    // --- domains ----------------------------------------------------------------------------------------------
    [LibraryImport(Lib)]
    internal static partial int virConnectListAllDomains(ConnectHandle conn, out nint domains, uint flags);

    [LibraryImport(Lib)]
    internal static partial int virDomainFree(nint domain);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial DomainHandle virDomainLookupByUUIDString(ConnectHandle conn, string uuid);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial DomainHandle virDomainLookupByName(ConnectHandle conn, string name);

    [LibraryImport(Lib)]
    internal static partial nint virDomainGetName(DomainHandle domain); // const char*, owned by the domain object

    [LibraryImport(Lib)]
    internal static unsafe partial int virDomainGetUUIDString(DomainHandle domain, byte* buf);

    [LibraryImport(Lib)]
    internal static partial int virDomainGetState(DomainHandle domain, out int state, out int reason, uint flags);

    [LibraryImport(Lib)]
    internal static partial int virDomainSnapshotNum(DomainHandle domain, uint flags);

    [LibraryImport(Lib)]
    internal static partial nint virDomainGetXMLDesc(DomainHandle domain, uint flags); // char*, caller frees

    [LibraryImport(Lib)]
    internal static partial int virDomainIsPersistent(DomainHandle domain);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial DomainHandle virDomainDefineXML(ConnectHandle conn, string xml);

    [LibraryImport(Lib)]
    internal static partial int virDomainUndefineFlags(DomainHandle domain, uint flags);

    // --- migration and jobs ------------------------------------------------------------------------------------
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int virDomainMigrateToURI3(DomainHandle domain, string dconnuri, nint parameters, int nparams, uint flags);

    [LibraryImport(Lib)]
    internal static partial int virDomainMigrateSetMaxDowntime(DomainHandle domain, ulong downtimeMs, uint flags);

    [LibraryImport(Lib)]
    internal static partial int virDomainGetJobStats(DomainHandle domain, out int type, out nint parameters, out int nparams, uint flags);

    [LibraryImport(Lib)]
    internal static partial int virDomainAbortJob(DomainHandle domain);

    // --- metadata (the portal's transfer mark) -------------------------------------------------------------------
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int virDomainSetMetadata(DomainHandle domain, int type, string? metadata, string? key, string uri, uint flags);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint virDomainGetMetadata(DomainHandle domain, int type, string uri, uint flags); // char*, caller frees

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int virDomainBackupBegin(DomainHandle domain, string backupXml, nint checkpointXml, uint flags);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int virDomainBlockCopy(DomainHandle domain, string disk, string destxml, nint parameters, int nparams, uint flags);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int virDomainGetBlockJobInfo(DomainHandle domain, string disk, out BlockJobInfo info, uint flags);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int virDomainBlockJobAbort(DomainHandle domain, string disk, uint flags);

    // --- typed parameters ---------------------------------------------------------------------------------------
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int virTypedParamsAddString(ref nint parameters, ref int nparams, ref int maxparams, string name, string value);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int virTypedParamsAddULLong(ref nint parameters, ref int nparams, ref int maxparams, string name, ulong value);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int virTypedParamsAddInt(ref nint parameters, ref int nparams, ref int maxparams, string name, int value);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int virTypedParamsGetULLong(nint parameters, int nparams, string name, out ulong value);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int virTypedParamsGetInt(nint parameters, int nparams, string name, out int value);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int virTypedParamsGetString(nint parameters, int nparams, string name, out nint value); // const char*, owned by params

    [LibraryImport(Lib)]
    internal static partial void virTypedParamsFree(nint parameters, int nparams);

    // --- storage ------------------------------------------------------------------------------------------------
    [LibraryImport(Lib)]
    internal static partial int virConnectListAllStoragePools(ConnectHandle conn, out nint pools, uint flags);

    [LibraryImport(Lib)]
    internal static partial int virStoragePoolFree(nint pool);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial StoragePoolHandle virStoragePoolLookupByName(ConnectHandle conn, string name);

    [LibraryImport(Lib)]
    internal static partial nint virStoragePoolGetName(StoragePoolHandle pool); // const char*

    [LibraryImport(Lib)]
    internal static unsafe partial int virStoragePoolGetUUIDString(StoragePoolHandle pool, byte* buf);

    [LibraryImport(Lib)]
    internal static partial int virStoragePoolGetInfo(StoragePoolHandle pool, out StoragePoolInfo info);

    [LibraryImport(Lib)]
    internal static partial nint virStoragePoolGetXMLDesc(StoragePoolHandle pool, uint flags); // char*, caller frees

    [LibraryImport(Lib)]
    internal static partial int virStoragePoolRefresh(StoragePoolHandle pool, uint flags);

    [LibraryImport(Lib)]
    internal static partial int virStoragePoolIsActive(StoragePoolHandle pool);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial StoragePoolHandle virStoragePoolCreateXML(ConnectHandle conn, string xml, uint flags);

    [LibraryImport(Lib)]
    internal static partial int virStoragePoolDestroy(StoragePoolHandle pool);

    [LibraryImport(Lib)]
    internal static partial int virStoragePoolListAllVolumes(StoragePoolHandle pool, out nint vols, uint flags);

    [LibraryImport(Lib)]
    internal static partial int virStorageVolFree(nint vol);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial StorageVolHandle virStorageVolLookupByPath(ConnectHandle conn, string path);

    [LibraryImport(Lib)]
    internal static partial nint virStorageVolGetPath(StorageVolHandle vol); // char*, caller frees

    [LibraryImport(Lib)]
    internal static partial int virStorageVolGetInfo(StorageVolHandle vol, out StorageVolInfo info);

    [LibraryImport(Lib)]
    internal static partial int virStorageVolDelete(StorageVolHandle vol, uint flags);
}

/// <summary>virNodeInfo: memory is in KiB; "unsigned long" is 64-bit on the Linux x64/arm64 hosts the portal runs on.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct NodeInfo
{
    public fixed byte Model[32];
    public ulong MemoryKiB;
    public uint Cpus;
    public uint Mhz;
    public uint Nodes;
    public uint Sockets;
    public uint Cores;
    public uint Threads;
}

[StructLayout(LayoutKind.Sequential)]
internal struct StoragePoolInfo
{
    public int State;
    public ulong Capacity;
    public ulong Allocation;
    public ulong Available;
}

[StructLayout(LayoutKind.Sequential)]
internal struct StorageVolInfo
{
    public int Type;
    public ulong Capacity;
    public ulong Allocation;
}

[StructLayout(LayoutKind.Sequential)]
internal struct BlockJobInfo
{
    public int Type;
    public ulong Bandwidth;
    public ulong Cur;
    public ulong End;
}
