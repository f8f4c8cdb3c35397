using Microsoft.Win32.SafeHandles;

namespace MigrationPortal.Infrastructure.Connectors.Libvirt.Native;

/// <summary>A virConnectPtr; closing the handle calls virConnectClose.</summary>
internal sealed class ConnectHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public ConnectHandle() : base(ownsHandle: true) { }

    protected override bool ReleaseHandle() => LibvirtNative.virConnectClose(handle) >= 0;
}

/// <summary>A virDomainPtr; releasing it calls virDomainFree (the domain itself is untouched).</summary>
internal sealed class DomainHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public DomainHandle() : base(ownsHandle: true) { }

    internal DomainHandle(nint existing) : base(ownsHandle: true) => SetHandle(existing);

    protected override bool ReleaseHandle() => LibvirtNative.virDomainFree(handle) == 0;
}

/// <summary>A virStoragePoolPtr; releasing it calls virStoragePoolFree.</summary>
internal sealed class StoragePoolHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public StoragePoolHandle() : base(ownsHandle: true) { }

    internal StoragePoolHandle(nint existing) : base(ownsHandle: true) => SetHandle(existing);

    protected override bool ReleaseHandle() => LibvirtNative.virStoragePoolFree(handle) == 0;
}

/// <summary>A virStorageVolPtr; releasing it calls virStorageVolFree.</summary>
internal sealed class StorageVolHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public StorageVolHandle() : base(ownsHandle: true) { }

    internal StorageVolHandle(nint existing) : base(ownsHandle: true) => SetHandle(existing);

    protected override bool ReleaseHandle() => LibvirtNative.virStorageVolFree(handle) == 0;
}

/// <summary>A virStreamPtr; releasing it calls virStreamFree (a stream not finished must be aborted before).</summary>
internal sealed class StreamHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public StreamHandle() : base(ownsHandle: true) { }

    protected override bool ReleaseHandle() => LibvirtNative.virStreamFree(handle) == 0;
}

/// <summary>A virNetworkPtr; releasing it calls virNetworkFree.</summary>
internal sealed class NetworkHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public NetworkHandle() : base(ownsHandle: true) { }

    protected override bool ReleaseHandle() => LibvirtNative.virNetworkFree(handle) == 0;
}

/// <summary>
/// The virDomainStatsRecordPtr* array virConnectGetAllDomainStats returns (NULL-terminated); releasing it calls
/// virDomainStatsRecordListFree, which frees every record, its typed parameters and its domain reference.
/// </summary>
internal sealed class DomainStatsListHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public DomainStatsListHandle() : base(ownsHandle: true) { }

    protected override bool ReleaseHandle()
    {
        LibvirtNative.virDomainStatsRecordListFree(handle);
        return true;
    }
}
