namespace MigrationPortal.Infrastructure.Connectors.Libvirt.Native;

/// <summary>A virTypedParameter array built with libvirt's own virTypedParamsAdd* and released with virTypedParamsFree.</summary>
internal sealed class TypedParameters : IDisposable
{
    private nint _params;
    private int _count;
    private int _capacity;

    public nint Pointer => _params;
    public int Count => _count;

    public TypedParameters Add(string name, string value) => Check(LibvirtNative.virTypedParamsAddString(ref _params, ref _count, ref _capacity, name, value), name);

    public TypedParameters Add(string name, ulong value) => Check(LibvirtNative.virTypedParamsAddULLong(ref _params, ref _count, ref _capacity, name, value), name);

    public TypedParameters Add(string name, int value) => Check(LibvirtNative.virTypedParamsAddInt(ref _params, ref _count, ref _capacity, name, value), name);

    private TypedParameters Check(int rc, string name) => rc < 0 ? throw LibvirtException.FromLastError($"virTypedParamsAdd({name})") : this;

    public void Dispose()
    {
        if (_params != 0) LibvirtNative.virTypedParamsFree(_params, _count);
        _params = 0;
        _count = _capacity = 0;
    }
}
