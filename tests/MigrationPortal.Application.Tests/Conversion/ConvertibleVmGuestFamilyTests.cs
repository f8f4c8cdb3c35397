using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Inventory;

namespace MigrationPortal.Application.Tests.Conversion;

/// <summary>Which described guests virt-v2v can convert (Linux, Windows) and which it cannot, from vSphere's guest IDs and names.</summary>
public sealed class ConvertibleVmGuestFamilyTests
{
    [Theory]
    [InlineData("debian12_64Guest", "Debian GNU/Linux 12 (64-bit)")]
    [InlineData("centos7_64Guest", "CentOS 7 (64-bit)")]
    [InlineData("rhel9_64Guest", "Red Hat Enterprise Linux 9 (64-bit)")]
    [InlineData("sles15_64Guest", null)]
    [InlineData("other3xLinux64Guest", "Other 3.x or later Linux (64-bit)")]
    [InlineData("otherGuest64", "Rocky Linux (64-bit)")]
    public void IsLinux_IsTrue_WhenTheGuestIsALinuxOne(string guestId, string? fullName)
    {
        var vm = Vm(guestId, fullName);

        Assert.True(vm.IsLinux);
        Assert.False(vm.IsWindows);
    }

    [Theory]
    [InlineData("otherGuest64", "Other (64-bit)")]
    [InlineData("freebsd13_64Guest", "FreeBSD 13 (64-bit)")]
    [InlineData("solaris11_64Guest", null)]
    [InlineData("windows2019srv_64Guest", "Microsoft Windows Server 2019 (64-bit)")]
    public void IsLinux_IsFalse_WhenTheGuestIsNotALinuxOne(string guestId, string? fullName) =>
        Assert.False(Vm(guestId, fullName).IsLinux);

    private static ConvertibleVm Vm(string guestId, string? fullName) =>
        new("vm-1", "vm", null, 1, 512, Firmware.Bios, guestId, fullName, PowerState.Off, [], [], 0);
}
