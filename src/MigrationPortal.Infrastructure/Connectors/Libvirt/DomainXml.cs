using System.Globalization;
using System.Xml.Linq;

namespace MigrationPortal.Infrastructure.Connectors.Libvirt;

/// <summary>What the portal reads from a domain's XML: size, disks, interfaces, CPU mode and the application tag.</summary>
internal sealed record DomainDescription(string Name, string Uuid, int Vcpus, long MemoryBytes, IReadOnlyList<DomainDisk> Disks, IReadOnlyList<DomainInterface> Interfaces,
    string? CpuMode, string? CpuModel, string? CpuXml, string? Application, string? VirtType = null, string? Arch = null, string? Machine = null, string? Emulator = null,
    IReadOnlyList<DomainFile>? BootFiles = null)
{
    /// <summary>The namespace of the portal's own domain metadata: &lt;mp:app xmlns:mp="urn:migrationportal:1"&gt;payments&lt;/mp:app&gt;.</summary>
    public const string MetadataNamespace = "urn:migrationportal:1";

    /// <summary>
    /// Every file the domain needs on whichever host runs it, except what a storage copy moves: CD-ROMs, floppies,
    /// read-only disks (libvirt copies none of them) and the files of a direct kernel boot; with <paramref name="copied"/>
    /// false, the writable file disks too.
    /// </summary>
    public IEnumerable<DomainFile> FilesNotCopied(bool copied) =>
        Disks.Where(d => d.Type == "file" && !string.IsNullOrEmpty(d.Source) && !(copied && FileDisks.Contains(d)))
            .Select(d => new DomainFile(d.Device == "disk" && !d.ReadOnly ? $"disk {d.Target}" : d.Device == "disk" ? $"read-only disk {d.Target}" : $"{d.Device} {d.Target}", d.Source!, d.Target, Removable: d.Device != "disk" || d.ReadOnly))
            .Concat(BootFiles ?? []);

    /// <summary>Writable disks backed by a file: what a storage copy moves.</summary>
    public IEnumerable<DomainDisk> FileDisks => Disks.Where(d => d.Device == "disk" && d.Type == "file" && d.Source is not null && !d.ReadOnly);

    public static DomainDescription Parse(string xml)
    {
        var root = XDocument.Parse(xml).Root ?? throw new FormatException("Empty domain XML.");
        var devices = root.Element("devices");
        var disks = devices?.Elements("disk").Select(d => new DomainDisk(
            Target: d.Element("target")?.Attribute("dev")?.Value ?? "?",
            Type: d.Attribute("type")?.Value ?? "file",
            Device: d.Attribute("device")?.Value ?? "disk",
            Source: d.Element("source") is { } s ? s.Attribute("file")?.Value ?? s.Attribute("dev")?.Value ?? NetworkSource(s) : null,
            Format: d.Element("driver")?.Attribute("type")?.Value,
            ReadOnly: d.Element("readonly") is not null)).ToList() ?? [];
        var interfaces = devices?.Elements("interface").Select(i => new DomainInterface(
            Type: i.Attribute("type")?.Value ?? "?",
            Source: i.Element("source")?.Attribute("network")?.Value ?? i.Element("source")?.Attribute("bridge")?.Value ?? i.Element("source")?.Attribute("dev")?.Value,
            Mac: i.Element("mac")?.Attribute("address")?.Value,
            Model: i.Element("model")?.Attribute("type")?.Value)).ToList() ?? [];
        var cpu = root.Element("cpu");
        var application = root.Element("metadata")?.Element(XName.Get("app", MetadataNamespace))?.Value.Trim();
        return new DomainDescription(
            root.Element("name")?.Value ?? "",
            root.Element("uuid")?.Value ?? "",
            int.TryParse(root.Element("vcpu")?.Value, CultureInfo.InvariantCulture, out var vcpus) ? vcpus : 1,
            Bytes(root.Element("memory")),
            disks, interfaces,
            cpu?.Attribute("mode")?.Value ?? (cpu?.Element("model") is null ? null : "custom"),
            cpu?.Element("model")?.Value,
            cpu?.ToString(),
            string.IsNullOrEmpty(application) ? null : application,
            root.Attribute("type")?.Value,
            root.Element("os")?.Element("type")?.Attribute("arch")?.Value,
            root.Element("os")?.Element("type")?.Attribute("machine")?.Value,
            devices?.Element("emulator")?.Value,
            (root.Element("os")?.Elements().Where(e => e.Name.LocalName is "kernel" or "initrd" or "dtb" or "loader" && !string.IsNullOrWhiteSpace(e.Value))
                .Select(e => new DomainFile(e.Name.LocalName, e.Value.Trim())).ToList()) ?? []);
    }

    /// <summary>
    /// The same domain XML with the file disks in <paramref name="moves"/> pointing at their new paths: the destination
    /// (and persistent) definition of a storage-copy migration whose target pool lives at another path.
    /// </summary>
    public static string WithDiskPaths(string xml, IReadOnlyDictionary<string, string> moves)
    {
        var document = XDocument.Parse(xml);
        foreach (var source in document.Root!.Element("devices")?.Elements("disk").Select(d => d.Element("source")).OfType<XElement>() ?? [])
            if (source.Attribute("file") is { } file && moves.TryGetValue(file.Value, out var moved)) file.Value = moved;
        return document.ToString(SaveOptions.DisableFormatting);
    }

    private static string NetworkSource(XElement source)
    {
        var protocol = source.Attribute("protocol")?.Value;
        var name = source.Attribute("name")?.Value;
        return protocol is null ? "?" : $"{protocol}:{name}";
    }

    private static long Bytes(XElement? element)
    {
        if (element is null || !long.TryParse(element.Value, CultureInfo.InvariantCulture, out var value)) return 0;
        return (element.Attribute("unit")?.Value ?? "KiB") switch
        {
            "b" or "bytes" => value,
            "KiB" or "k" => value * 1024,
            "MiB" or "M" => value * 1024 * 1024,
            "GiB" or "G" => value * 1024 * 1024 * 1024,
            _ => value * 1024,
        };
    }
}

internal sealed record DomainDisk(string Target, string Type, string Device, string? Source, string? Format, bool ReadOnly);

/// <summary>A file a domain references: what it is ("cdrom hdc", "kernel"), its path, and for a disk its target and whether it can be ejected.</summary>
internal sealed record DomainFile(string What, string Path, string? Target = null, bool Removable = false);

internal sealed record DomainInterface(string Type, string? Source, string? Mac, string? Model);
