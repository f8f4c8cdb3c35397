using System.Runtime.InteropServices;

namespace MigrationPortal.Infrastructure.Connectors.Libvirt.Native;

/// <summary>
/// The part of libvirt's C API a VMware-to-KVM conversion adds: streams (a sparse volume upload, a serial console),
/// volume creation, starting and stopping a domain, networks and host interfaces, and the guest agent
/// (libvirt-qemu.so.0, an optional library: a portal node without it boots converted guests on the console probe only).
/// </summary>
internal static partial class LibvirtNative
{
    private const string QemuLib = "libvirt-qemu.so.0";

    // --- streams ------------------------------------------------------------------------------------------------
    [LibraryImport(Lib)]
    internal static partial StreamHandle virStreamNew(ConnectHandle conn, uint flags);

    [LibraryImport(Lib)]
    internal static partial int virStreamFree(nint stream);

    [LibraryImport(Lib)]
    internal static unsafe partial int virStreamSend(StreamHandle stream, byte* data, nuint nbytes); // bytes sent, -1 error, -2 would block

    [LibraryImport(Lib)]
    internal static partial int virStreamSendHole(StreamHandle stream, long length, uint flags);

    [LibraryImport(Lib)]
    internal static unsafe partial int virStreamRecv(StreamHandle stream, byte* data, nuint nbytes); // bytes read, 0 end, -1 error, -2 would block

    [LibraryImport(Lib)]
    internal static partial int virStreamFinish(StreamHandle stream);

    [LibraryImport(Lib)]
    internal static partial int virStreamAbort(StreamHandle stream);

    // --- volumes ------------------------------------------------------------------------------------------------
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial StorageVolHandle virStorageVolLookupByName(StoragePoolHandle pool, string name);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial StorageVolHandle virStorageVolCreateXML(StoragePoolHandle pool, string xml, uint flags);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial StorageVolHandle virStorageVolCreateXMLFrom(StoragePoolHandle pool, string xml, StorageVolHandle cloneFrom, uint flags);

    [LibraryImport(Lib)]
    internal static partial int virStorageVolUpload(StorageVolHandle vol, StreamHandle stream, ulong offset, ulong length, uint flags);

    // --- starting, stopping, console, agent ----------------------------------------------------------------------
    [LibraryImport(Lib)]
    internal static partial int virDomainCreateWithFlags(DomainHandle domain, uint flags);

    [LibraryImport(Lib)]
    internal static partial int virDomainResume(DomainHandle domain);

    [LibraryImport(Lib)]
    internal static partial int virDomainDestroy(DomainHandle domain);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int virDomainOpenConsole(DomainHandle domain, string? devName, StreamHandle stream, uint flags);

    [LibraryImport(QemuLib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint virDomainQemuAgentCommand(DomainHandle domain, string cmd, int timeout, uint flags); // char*, caller frees

    // --- networks and interfaces ---------------------------------------------------------------------------------
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial NetworkHandle virNetworkLookupByName(ConnectHandle conn, string name);

    [LibraryImport(Lib)]
    internal static partial int virNetworkFree(nint network);

    [LibraryImport(Lib)]
    internal static partial int virNetworkIsActive(NetworkHandle network);

    [LibraryImport(Lib)]
    internal static partial int virConnectListAllInterfaces(ConnectHandle conn, out nint ifaces, uint flags);

    [LibraryImport(Lib)]
    internal static partial int virInterfaceFree(nint iface);

    [LibraryImport(Lib)]
    internal static partial nint virInterfaceGetName(nint iface); // const char*, owned by the interface object

    [LibraryImport(Lib)]
    internal static partial nint virInterfaceGetXMLDesc(nint iface, uint flags); // char*, caller frees

    [LibraryImport(Lib)]
    internal static partial int virInterfaceIsActive(nint iface);
}
