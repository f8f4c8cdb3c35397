using System.Globalization;
using System.Xml.Linq;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Infrastructure.Connectors.Libvirt;

/// <summary>
/// The libvirt domain XML of a converted VM, built with XDocument so no name, path or description from the source can
/// break out of its attribute or element. Disks are virtio (vda, vdb, … in the spec's order, boot order 1 on the first),
/// NICs virtio on the mapped network or bridge, a pty serial console (the boot probe reads it) and a guest-agent channel.
/// <c>&lt;acpi/&gt;</c> is there because without it a guest's poweroff does nothing.
/// </summary>
internal static class ConvertedDomainXml
{
    /// <summary>The portal's namespace for what a conversion made, apart from the transfer mark's and the application tag's.</summary>
    public const string Namespace = "urn:migrationportal:conversion:1";

    public const string Key = "mpc";

    public const string GuestAgentChannel = "org.qemu.guest_agent.0";

    /// <param name="diskPaths">The path of each of <see cref="ConvertedDomainSpec.Disks"/>'s volumes on the host, in the same order.</param>
    /// <param name="domainType">"kvm" where the host has it, else "qemu" (TCG).</param>
    public static string Build(ConvertedDomainSpec spec, IReadOnlyList<string> diskPaths, string domainType)
    {
        if (diskPaths.Count != spec.Disks.Count) throw new ArgumentException("One path per disk is needed.", nameof(diskPaths));
        var os = new XElement("os", new XElement("type", new XAttribute("arch", "x86_64"), "hvm"));
        // libvirt picks the firmware image (OVMF) and the NVRAM itself for firmware='efi'; BIOS is its default (SeaBIOS).
        if (spec.Firmware == Firmware.Efi) os.SetAttributeValue("firmware", "efi");

        var devices = new XElement("devices");
        for (var i = 0; i < spec.Disks.Count; i++)
        {
            var volume = spec.Disks[i];
            // A file disk on the volume's path rather than <disk type='volume'>: the rest of the connector (inventory,
            // migration, leftovers) reads a domain's disks as files, so a converted domain is handled like any other.
            var disk = new XElement("disk", new XAttribute("type", "file"), new XAttribute("device", "disk"),
                new XElement("driver", new XAttribute("name", "qemu"), new XAttribute("type", volume.Format == ConvertedDiskFormat.Qcow2 ? "qcow2" : "raw")),
                new XElement("source", new XAttribute("file", diskPaths[i])),
                new XElement("target", new XAttribute("dev", TargetName(i)), new XAttribute("bus", "virtio")));
            if (i == 0) disk.Add(new XElement("boot", new XAttribute("order", "1")));
            devices.Add(disk);
        }

        foreach (var nic in spec.Nics)
        {
            var network = nic.TargetKind == NetworkTargetKind.Bridge;
            var element = new XElement("interface", new XAttribute("type", network ? "bridge" : "network"),
                new XElement("source", new XAttribute(network ? "bridge" : "network", nic.TargetName)));
            if (!string.IsNullOrWhiteSpace(nic.MacAddress)) element.Add(new XElement("mac", new XAttribute("address", nic.MacAddress.ToLowerInvariant())));
            element.Add(new XElement("model", new XAttribute("type", "virtio")));
            devices.Add(element);
        }

        devices.Add(
            new XElement("serial", new XAttribute("type", "pty"), new XElement("target", new XAttribute("port", "0"))),
            new XElement("console", new XAttribute("type", "pty"), new XElement("target", new XAttribute("type", "serial"), new XAttribute("port", "0"))),
            new XElement("channel", new XAttribute("type", "unix"),
                new XElement("target", new XAttribute("type", "virtio"), new XAttribute("name", GuestAgentChannel))));

        var root = new XElement("domain", new XAttribute("type", domainType),
            new XElement("name", spec.Name));
        if (!string.IsNullOrWhiteSpace(spec.Uuid)) root.Add(new XElement("uuid", spec.Uuid));
        root.Add(
            new XElement("metadata", Metadata(spec)),
            new XElement("memory", new XAttribute("unit", "MiB"), spec.MemoryMb.ToString(CultureInfo.InvariantCulture)),
            new XElement("vcpu", spec.Cpus.ToString(CultureInfo.InvariantCulture)),
            os,
            new XElement("features", new XElement("acpi"), new XElement("apic")),
            new XElement("on_poweroff", "destroy"),
            new XElement("on_reboot", "restart"),
            new XElement("on_crash", "destroy"),
            devices);
        return new XDocument(root).ToString();
    }

    /// <summary>vda … vdz, vdaa …: libvirt's own naming of virtio disks.</summary>
    public static string TargetName(int index)
    {
        var name = "";
        for (var i = index; i >= 0; i = i / 26 - 1) name = (char)('a' + i % 26) + name;
        return "vd" + name;
    }

    /// <summary>&lt;mpc:conversion request="…"&gt;&lt;mpc:source&gt;…&lt;/mpc:source&gt;&lt;/mpc:conversion&gt;: which request made the domain, from which VM.</summary>
    public static XElement Metadata(ConvertedDomainSpec spec)
    {
        XNamespace ns = Namespace;
        return new XElement(ns + "conversion", new XAttribute(XNamespace.Xmlns + Key, Namespace),
            new XAttribute("request", spec.RequestId.ToString("D")),
            new XElement(ns + "source", spec.SourceVmDescription));
    }

    /// <summary>The request named in a domain's conversion metadata (as virDomainGetMetadata returns it), or null.</summary>
    public static (Guid? Request, string? Source) ReadMetadata(string? xml)
    {
        if (string.IsNullOrWhiteSpace(xml)) return (null, null);
        var root = XElement.Parse(xml);
        // libvirt hands the element back with its prefix declared; match by local name as TransferMark does.
        var source = root.Elements().FirstOrDefault(e => e.Name.LocalName == "source")?.Value;
        return (Guid.TryParse(root.Attribute("request")?.Value, out var request) ? request : null, source);
    }
}
