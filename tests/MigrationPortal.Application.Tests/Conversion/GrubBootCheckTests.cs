using MigrationPortal.Infrastructure.Conversion;

namespace MigrationPortal.Application.Tests.Conversion;

/// <summary>The grub.cfg check on real-shaped samples: what Debian's and Red Hat's grub-mkconfig write, and GRUB legacy.</summary>
public sealed class GrubBootCheckTests
{
    private const string ByUuid = """
        ### BEGIN /etc/grub.d/10_linux ###
        function gfxmode {
        	set gfxpayload="${1}"
        }
        menuentry 'Debian GNU/Linux' --class debian --class gnu-linux --class gnu --class os $menuentry_id_option 'gnulinux-simple-5b1c3b6a-2f5e-4c1d-9d39-0d7c1a9f7e11' {
        	load_video
        	insmod gzio
        	insmod part_msdos
        	insmod ext2
        	set root='hd0,msdos1'
        	search --no-floppy --fs-uuid --set=root 5b1c3b6a-2f5e-4c1d-9d39-0d7c1a9f7e11
        	echo	'Loading Linux 6.1.0-57-cloud-amd64 ...'
        	linux	/boot/vmlinuz-6.1.0-57-cloud-amd64 root=UUID=5b1c3b6a-2f5e-4c1d-9d39-0d7c1a9f7e11 ro console=ttyS0,115200n8
        	echo	'Loading initial ramdisk ...'
        	initrd	/boot/initrd.img-6.1.0-57-cloud-amd64
        }
        submenu 'Advanced options for Debian GNU/Linux' $menuentry_id_option 'gnulinux-advanced-5b1c3b6a' {
        	menuentry 'Debian GNU/Linux, with Linux 6.1.0-57-cloud-amd64 (recovery mode)' {
        		linux	/boot/vmlinuz-6.1.0-57-cloud-amd64 root=UUID=5b1c3b6a-2f5e-4c1d-9d39-0d7c1a9f7e11 ro single console=ttyS0,115200n8
        	}
        }
        """;

    [Fact]
    public void Check_IsBootable_WhenEveryKernelLineBootsByUuid()
    {
        var verdict = GrubBootCheck.Check(ByUuid);

        Assert.True(verdict.Bootable);
        Assert.Equal(2, verdict.KernelLines);
    }

    [Fact]
    public void Check_NamesTheLineAndDevice_WhenTheApplianceWroteSdb1()
    {
        // What virt-v2v's appliance wrote for a guest with GRUB_DISABLE_LINUX_UUID=true (../shared/LAB.md).
        var config = ByUuid.Replace("root=UUID=5b1c3b6a-2f5e-4c1d-9d39-0d7c1a9f7e11", "root=/dev/sdb1", StringComparison.Ordinal);

        var verdict = GrubBootCheck.Check(config);

        Assert.False(verdict.Bootable);
        Assert.Equal(2, verdict.Offences.Count);
        var first = verdict.Offences[0];
        Assert.Equal("/dev/sdb1", first.Device);
        Assert.Equal(13, first.LineNumber);
        Assert.StartsWith("linux\t/boot/vmlinuz-6.1.0-57-cloud-amd64 root=/dev/sdb1", first.Line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("linux /vmlinuz root=/dev/vda1 ro")]
    [InlineData("linux /vmlinuz root=LABEL=rootfs ro")]
    [InlineData("linux /vmlinuz root=PARTUUID=0a1b2c3d-01 ro")]
    [InlineData("linux16 /vmlinuz-3.10.0 root=/dev/mapper/centos-root ro rd.lvm.lv=centos/root")]
    [InlineData("linuxefi /vmlinuz root=/dev/vg0/root ro resume=/dev/sda2")]
    [InlineData("kernel /vmlinuz-2.6.32 ro root=UUID=1234 rhgb quiet")]
    public void Check_IsBootable_WhenRootIsNotAnEmulatedDiskName(string line)
    {
        var verdict = GrubBootCheck.Check($"menuentry 'x' {{\n\t{line}\n}}\n");

        Assert.True(verdict.Bootable, string.Join("; ", verdict.Offences.Select(o => o.Line)));
        Assert.Equal(1, verdict.KernelLines);
    }

    [Theory]
    [InlineData("linux /vmlinuz root=/dev/sda1 ro", "/dev/sda1")]
    [InlineData("linux16 /vmlinuz-3.10.0 ro root=/dev/hda2", "/dev/hda2")]
    [InlineData("linuxefi /vmlinuz root=/dev/xvda1 ro", "/dev/xvda1")]
    [InlineData("kernel /vmlinuz-2.6.18 ro root=/dev/sdb3 quiet", "/dev/sdb3")]
    public void Check_FindsTheDevice_WhenRootIsAnEmulatedDiskName(string line, string device)
    {
        var verdict = GrubBootCheck.Check($"title old\n\t{line}\n");

        var offence = Assert.Single(verdict.Offences);
        Assert.Equal(device, offence.Device);
        Assert.Equal(2, offence.LineNumber);
    }

    [Fact]
    public void Check_ReadsTheKernelLines_WhenBootIsASeparatePartition()
    {
        // A separate /boot: GRUB's paths are relative to that partition (no /boot prefix), root= names the root filesystem.
        const string config = """
            menuentry 'Debian GNU/Linux' {
            	insmod part_msdos
            	search --no-floppy --fs-uuid --set=root 7f3e-boot
            	linux	/vmlinuz-6.1.0-57-amd64 root=UUID=9c1f2d3e-root ro quiet
            	initrd	/initrd.img-6.1.0-57-amd64
            }
            menuentry 'Debian GNU/Linux (old kernel)' {
            	linux	/vmlinuz-6.1.0-50-amd64 root=/dev/sda2 ro quiet
            }
            """;

        var verdict = GrubBootCheck.Check(config);

        Assert.Equal(2, verdict.KernelLines);
        var offence = Assert.Single(verdict.Offences);
        Assert.Equal("/dev/sda2", offence.Device);
        Assert.Equal(8, offence.LineNumber);
    }

    [Fact]
    public void Check_IgnoresGrubsOwnRootAndComments_WhenTheyNameADisk()
    {
        // "set root=" is GRUB's own device, and a commented-out line boots nothing.
        const string config = "set root='hd0,msdos1'\n# linux /vmlinuz root=/dev/sda1\nmenuentry 'x' {\n\tlinux /vmlinuz root=UUID=abc ro\n}\n";

        var verdict = GrubBootCheck.Check(config);

        Assert.True(verdict.Bootable);
        Assert.Equal(1, verdict.KernelLines);
    }
}
