using System.Globalization;
using System.Xml.Linq;
using MigrationPortal.Application.Abstractions;

namespace MigrationPortal.Infrastructure.Connectors.VSphere;

/// <summary>The XML namespaces vim25 speaks. Parsing always goes by namespace, never by prefix: the simulator writes xsi as "XMLSchema-instance".</summary>
public static class Vim
{
    public static readonly XNamespace Ns = "urn:vim25";
    public static readonly XNamespace Soap = "http://schemas.xmlsoap.org/soap/envelope/";
    public static readonly XNamespace Xsi = "http://www.w3.org/2001/XMLSchema-instance";

    /// <summary>An element in urn:vim25; null content is left out, so optional spec fields can be passed as null.</summary>
    public static XElement E(string name, params object?[] content) => new(Ns + name, content.Where(c => c is not null));

    /// <summary>The local part of an element's xsi:type, whatever prefix the server chose.</summary>
    public static string? XsiType(XElement e)
    {
        var value = e.Attribute(Xsi + "type")?.Value;
        if (value is null) return null;
        var colon = value.IndexOf(':');
        return colon < 0 ? value : value[(colon + 1)..];
    }

    public static XElement? Child(this XElement e, string name) => e.Element(Ns + name);

    public static IEnumerable<XElement> Children(this XElement e, string name) => e.Elements(Ns + name);

    public static string? ChildValue(this XElement e, string name) => e.Element(Ns + name)?.Value;
}

/// <summary>A managed object reference: vCenter's type and ID (e.g. HostSystem host-21).</summary>
public readonly record struct MoRef(string Type, string Value)
{
    public XElement ToXml(string elementName) => new(Vim.Ns + elementName, new XAttribute("type", Type), Value);

    public static MoRef Parse(XElement e) => new(e.Attribute("type")?.Value ?? "", e.Value.Trim());

    public override string ToString() => $"{Type}:{Value}";
}

/// <summary>A vCenter fault: its vim25 type (InvalidLogin, InvalidHostState, MigrationFault, ...) and vCenter's own message.</summary>
public sealed class VimFaultException(string faultType, string message, XElement? detail = null, Exception? inner = null)
    : ConnectorException(faultType, message, inner)
{
    /// <summary>The fault's fields as vCenter sent them, for callers that need more than the type (e.g. ManagedObjectNotFound.obj).</summary>
    public XElement? Detail { get; } = detail;

    public bool Is(string type) => string.Equals(FaultType, type, StringComparison.Ordinal);

    /// <summary>Reads a SOAP fault or a task's LocalizedMethodFault (error/fault + localizedMessage).</summary>
    internal static VimFaultException FromSoapFault(XElement fault)
    {
        var message = fault.Element("faultstring")?.Value ?? fault.Element(Vim.Soap + "faultstring")?.Value ?? "vCenter returned a fault without a message.";
        var detail = (fault.Element("detail") ?? fault.Element(Vim.Soap + "detail"))?.Elements().FirstOrDefault();
        var type = detail is null ? "ServerFault" : Vim.XsiType(detail) ?? TrimFaultSuffix(detail.Name.LocalName);
        return new VimFaultException(type, message, detail);
    }

    internal static VimFaultException FromLocalizedFault(XElement error)
    {
        var fault = error.Child("fault");
        var type = fault is null ? "TaskFailed" : Vim.XsiType(fault) ?? "TaskFailed";
        var message = error.ChildValue("localizedMessage");
        if (string.IsNullOrWhiteSpace(message)) message = fault?.Child("faultMessage")?.ChildValue("message") ?? type;
        return new VimFaultException(type, message, fault);
    }

    private static string TrimFaultSuffix(string name) => name.EndsWith("Fault", StringComparison.Ordinal) && name != "MigrationFault" && name != "InsufficientResourcesFault" ? name[..^5] : name;
}

/// <summary>One object from RetrievePropertiesEx or WaitForUpdatesEx: its reference and the property values that came back.</summary>
public sealed class VimObject(MoRef reference, Dictionary<string, XElement> properties)
{
    public MoRef Ref { get; } = reference;
    public IReadOnlyDictionary<string, XElement> Properties => properties;

    internal void Set(string path, XElement? value)
    {
        if (value is null) properties.Remove(path);
        else properties[path] = value;
    }

    public XElement? Get(string path) => properties.GetValueOrDefault(path);

    public string? String(string path) => Get(path)?.Value;

    public long Long(string path) => long.TryParse(String(path), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : 0;

    public int Int(string path) => (int)Math.Clamp(Long(path), int.MinValue, int.MaxValue);

    public bool Bool(string path) => String(path) is "true" or "1";

    public MoRef? RefOf(string path) => Get(path) is { } e && e.Value.Length > 0 ? MoRef.Parse(e) : null;

    /// <summary>An ArrayOfManagedObjectReference value.</summary>
    public IReadOnlyList<MoRef> RefsOf(string path) => Get(path)?.Elements().Select(MoRef.Parse).ToList() ?? [];
}

/// <summary>What a vCenter task reports about itself.</summary>
public sealed record VimTaskInfo(string State, int Progress, bool Cancelled, VimFaultException? Error, XElement? Result)
{
    public bool IsFinished => State is "success" or "error";

    internal static VimTaskInfo From(VimObject task) => new(
        task.String("info.state") ?? "queued",
        task.Int("info.progress"),
        task.Bool("info.cancelled"),
        task.Get("info.error") is { } error && error.HasElements ? VimFaultException.FromLocalizedFault(error) : null,
        task.Get("info.result"));
}
