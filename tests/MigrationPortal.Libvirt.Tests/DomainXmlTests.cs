using MigrationPortal.Infrastructure.Connectors.Libvirt;

namespace MigrationPortal.Libvirt.Tests;

/// <summary>The parts of the connector that need no daemon: reading domain XML and the operation IDs a restart relies on.</summary>
public sealed class DomainXmlTests
{
    private const string Xml = """
        <domain type='qemu'>
          <name>web-01</name>
          <uuid>4d504c41-6775-4573-8000-000000000001</uuid>
          <metadata><mp:app xmlns:mp="urn:migrationportal:1">payments</mp:app></metadata>
          <memory unit='KiB'>131072</memory>
          <vcpu placement='static'>2</vcpu>
          <os><type arch='x86_64' machine='pc-i440fx-7.2'>hvm</type></os>
          <cpu mode='custom' match='exact'><model fallback='forbid'>qemu64</model></cpu>
          <devices>
            <emulator>/usr/bin/qemu-system-x86_64</emulator>
            <disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/var/lib/libvirt/images/web-01.qcow2'/><target dev='vda' bus='virtio'/></disk>
            <disk type='file' device='cdrom'><source file='/iso/tools.iso'/><target dev='sda'/><readonly/></disk>
            <disk type='network' device='disk'><source protocol='nbd' name='data'/><target dev='vdb'/></disk>
            <interface type='network'><mac address='52:54:00:aa:bb:cc'/><source network='prod'/><model type='virtio'/></interface>
          </devices>
        </domain>
        """;

    [Fact]
    public void FilesNotCopied_ListsCdromsAndBootFiles_AndTheWritableDisksOnlyWhenNothingIsCopied()
    {
        var domain = DomainDescription.Parse(Xml.Replace("<os><type arch='x86_64' machine='pc-i440fx-7.2'>hvm</type></os>",
            "<os><type arch='x86_64' machine='pc-i440fx-7.2'>hvm</type><kernel>/boot/vmlinuz</kernel><initrd>/boot/initrd.img</initrd></os>"));

        var withCopy = domain.FilesNotCopied(copied: true).ToList();
        var withoutCopy = domain.FilesNotCopied(copied: false).ToList();

        Assert.Equal(["/iso/tools.iso", "/boot/vmlinuz", "/boot/initrd.img"], withCopy.Select(f => f.Path));
        Assert.True(withCopy[0].Removable);
        Assert.Equal("sda", withCopy[0].Target);
        Assert.Equal(["/var/lib/libvirt/images/web-01.qcow2", "/iso/tools.iso", "/boot/vmlinuz", "/boot/initrd.img"], withoutCopy.Select(f => f.Path));
    }

    [Fact]
    public void Parse_ReadsSizeDisksInterfacesCpuAndApplication()
    {
        var domain = DomainDescription.Parse(Xml);
        Assert.Equal("web-01", domain.Name);
        Assert.Equal(128L * 1024 * 1024, domain.MemoryBytes);
        Assert.Equal(2, domain.Vcpus);
        Assert.Equal("payments", domain.Application);
        Assert.Equal(("custom", "qemu64", "qemu", "x86_64", "pc-i440fx-7.2"), (domain.CpuMode, domain.CpuModel, domain.VirtType, domain.Arch, domain.Machine));
        Assert.Equal(["vda", "sda", "vdb"], domain.Disks.Select(d => d.Target));
        Assert.Equal("nbd:data", domain.Disks[2].Source);
        var fileDisk = Assert.Single(domain.FileDisks); // the cdrom is read-only, the NBD disk is not a file
        Assert.Equal(("/var/lib/libvirt/images/web-01.qcow2", "qcow2"), (fileDisk.Source, fileDisk.Format));
        Assert.Equal("prod", Assert.Single(domain.Interfaces).Source);
    }

    [Fact]
    public void WithDiskPaths_MovesOnlyTheNamedDisks()
    {
        var moved = DomainDescription.Parse(DomainDescription.WithDiskPaths(Xml,
            new Dictionary<string, string> { ["/var/lib/libvirt/images/web-01.qcow2"] = "/var/lib/libvirt/fast/web-01.qcow2" }));
        Assert.Equal(["/var/lib/libvirt/fast/web-01.qcow2", "/iso/tools.iso", "nbd:data"], moved.Disks.Select(d => d.Source));
    }

    [Fact]
    public void OperationId_RoundTripsUrisWithQueryStrings()
    {
        var operation = new LibvirtOperation(LibvirtOperation.Migrate, "qemu+unix:///system?socket=/run/a|b/libvirt-sock", "qemu+tls://kvm2.example/system", "4d504c41-6775-4573-8000-000000000001");
        Assert.Equal(operation, LibvirtOperation.Parse(operation.ToString()));
        Assert.Throws<LibvirtException>(() => LibvirtOperation.Parse("demo-task-123"));
    }
}
