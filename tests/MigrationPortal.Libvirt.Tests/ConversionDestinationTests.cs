using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Infrastructure.Connectors.Libvirt;
using Xunit.Abstractions;

namespace MigrationPortal.Libvirt.Tests;

/// <summary>
/// Issue 12, the destination side of a VMware-to-KVM conversion, against the lab's host B reached over qemu+tls with
/// its certificate pinned (as a destination connection would be): pool room, clashes, networks and bridges, the sparse
/// upload (raw and qcow2) checked with qemu-img compare and the file's real allocation, the converted domain, its boot,
/// and the removal. Each test works under names of its own and removes them at the end; the lab guest on A is untouched.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class ConversionDestinationTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly LibvirtLab _lab = LibvirtLab.Current;
    private readonly string _prefix = $"mpconv-{Guid.NewGuid().ToString("N")[..8]}";
    // The lab's /dev/kvm is listed in the capabilities but fails ("KVM internal error ... emulation failure"): TCG.
    private readonly LibvirtConnector _connector = new(new LibvirtJobRegistry(), Options.Create(new LibvirtOptions { ConvertedDomainType = "qemu" }), TimeProvider.System,
        NullLogger<LibvirtConnector>.Instance);
    private static readonly CancellationToken None = CancellationToken.None;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        // Whatever a failed assertion left: domains and volumes under this test's prefix, on host B.
        foreach (var name in (await _lab.VirshAsync(_lab.BUri, "list", "--all", "--name")).Split('\n').Select(n => n.Trim()).Where(n => n.StartsWith(_prefix)))
        {
            await LibvirtLab.RunAsync("virsh", ["-c", _lab.BUri, "destroy", name], check: false);
            await LibvirtLab.RunAsync("virsh", ["-c", _lab.BUri, "undefine", "--nvram", name], check: false);
        }

        foreach (var file in Directory.GetFiles(_lab.BImagesDir, _prefix + "*")) File.Delete(file);
        await _lab.VirshAsync(_lab.BUri, "pool-refresh", "images");
    }

    private string PinOfB()
    {
        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(_lab.LabDir, "pki/b-cert.pem")));
        return Convert.ToHexString(SHA256.HashData(certificate.RawData));
    }

    private static string Pem(string variable) => File.ReadAllText(Environment.GetEnvironmentVariable(variable)!);

    /// <summary>A conversion onto host B, over TLS with B's pin (or the one given).</summary>
    private MigrationPlan Plan(string? pin = null, Guid? requestId = null)
    {
        var destination = new ConnectionInfo(Guid.NewGuid(), "kvm-lab-b", ConnectionKinds.Libvirt, $"{_lab.BTlsUri}#sha256={pin ?? PinOfB()}", null, null, null, false,
            Pem("LIBVIRT_LAB_CA_CERT"), Pem("LIBVIRT_LAB_CLIENT_CERT"), Pem("LIBVIRT_LAB_CLIENT_KEY"));
        var source = destination with { Id = Guid.NewGuid(), Name = "vcenter", Kind = ConnectionKinds.VSphere, Endpoint = "https://vcenter.invalid/sdk" };
        return new MigrationPlan(requestId ?? Guid.NewGuid(), source, destination, "vm-42", "web01", MigrationKind.CrossPlatform, false, null, null,
            new MigrationTarget(destination.Id, _lab.BTlsUri, "lab-b", null, "images@lab-b", null), new MigrationOptions(false, true), null);
    }

    private VolumeRef Volume(string suffix, ConvertedDiskFormat format = ConvertedDiskFormat.Raw) => new(_lab.BTlsUri, "images", $"{_prefix}-{suffix}", format);

    private string FileOnB(VolumeRef volume) => Path.Combine(_lab.BImagesDir, volume.Name);

    private static async Task<long> AllocatedBytesAsync(string path) => long.Parse((await LibvirtLab.RunAsync("du", ["-B1", path])).Split('\t')[0]);

    private async Task<IReadOnlyList<string>> VolumesOnBAsync()
    {
        await _lab.VirshAsync(_lab.BUri, "pool-refresh", "images");
        return (await _lab.VirshAsync(_lab.BUri, "vol-list", "images")).Split('\n').Skip(2).Select(l => l.Trim().Split(' ', 2)[0]).Where(n => n.Length > 0).ToList();
    }

    private async Task<VolumeRef> EmptyVolumeAsync(MigrationPlan plan, string suffix, long capacity = 16 * ConversionImages.MiB)
    {
        var volume = Volume(suffix);
        await using var sink = await _connector.CreateVolumeAsync(plan, volume, capacity, None);
        await sink.FinishAsync(None);
        return volume;
    }

    private ConvertedDomainSpec Spec(MigrationPlan plan, IReadOnlyList<VolumeRef> disks, string? uuid = null, IReadOnlyList<ConvertedNic>? nics = null) =>
        new($"{_prefix}-vm", uuid, 1, 128, Firmware.Bios, disks, nics ?? [], plan.RequestId, "web01 (vm-42) on vcenter <dc1> & \"prod\"");

    [Fact]
    public async Task GetPoolSpace_CountsAFileWrittenBehindLibvirtsBack_WhenThePoolIsRefreshedFirst()
    {
        var plan = Plan();
        var before = await _connector.GetPoolSpaceAsync(plan, "images", None);
        Assert.True(before.Active);
        Assert.True(before.CapacityBytes > 0 && before.AvailableBytes > 0 && before.AvailableBytes <= before.CapacityBytes);

        // 256 MiB allocated in the pool's folder without libvirt: only a refresh makes virStoragePoolGetInfo see it.
        await LibvirtLab.RunAsync("fallocate", ["-l", "256M", Path.Combine(_lab.BImagesDir, $"{_prefix}-filler")]);
        var after = await _connector.GetPoolSpaceAsync(plan, "images", None);

        Assert.InRange(before.AvailableBytes - after.AvailableBytes, 200 * ConversionImages.MiB, 400 * ConversionImages.MiB);
        var missing = await Assert.ThrowsAsync<LibvirtException>(() => _connector.GetPoolSpaceAsync(plan, "no-such-pool", None));
        Assert.Contains("lab-b", missing.Message);
        Assert.Contains("no-such-pool", missing.Message);
    }

    [Fact]
    public async Task CreateVolume_UploadsASparseRawVolumeIdenticalToTheImage_AndItStaysSparse()
    {
        var (image, _) = await ConversionImages.Ext4WithPayloadAsync();
        var plan = Plan();
        var volume = Volume("disk0.raw");
        var clock = Stopwatch.StartNew();
        long data;
        await using (var sink = await _connector.CreateVolumeAsync(plan, volume, new FileInfo(image).Length, None))
        {
            data = await ConversionImages.FeedAsync(image, sink, None);
            output.WriteLine($"upload wall {clock.Elapsed.TotalSeconds:0.00} s: {((LibvirtVolumeSink)sink).Summary}");
        }

        await LibvirtLab.RunAsync("qemu-img", ["compare", "-f", "raw", "-F", "raw", image, FileOnB(volume)]);
        var allocated = await AllocatedBytesAsync(FileOnB(volume));
        output.WriteLine($"data sent {data / ConversionImages.MiB} MiB, allocated on B {allocated / ConversionImages.MiB} MiB of {ConversionImages.GiB / ConversionImages.MiB} MiB");
        Assert.Equal(ConversionImages.GiB, new FileInfo(FileOnB(volume)).Length);
        Assert.InRange(data, 200 * ConversionImages.MiB, 300 * ConversionImages.MiB);
        Assert.True(allocated < data + 64 * ConversionImages.MiB, $"{allocated} bytes allocated for {data} bytes of data: the holes were written as zeros.");
        Assert.Contains(volume.Name, await VolumesOnBAsync());
    }

    [Fact]
    public async Task CreateVolume_MakesAQcow2VolumeIdenticalToTheImage_AndRemovesTheRawStagingVolume_WhenTheFormatIsQcow2()
    {
        var (image, _) = await ConversionImages.Ext4WithPayloadAsync();
        var plan = Plan();
        var volume = Volume("disk0.qcow2", ConvertedDiskFormat.Qcow2);
        var clock = Stopwatch.StartNew();
        await using (var sink = await _connector.CreateVolumeAsync(plan, volume, new FileInfo(image).Length, None))
        {
            await ConversionImages.FeedAsync(image, sink, None);
            output.WriteLine($"qcow2 upload wall {clock.Elapsed.TotalSeconds:0.00} s: {((LibvirtVolumeSink)sink).Summary}");
        }

        Assert.Contains("file format: qcow2", await LibvirtLab.RunAsync("qemu-img", ["info", FileOnB(volume)]));
        await LibvirtLab.RunAsync("qemu-img", ["compare", "-f", "raw", "-F", "qcow2", image, FileOnB(volume)]);
        var volumes = await VolumesOnBAsync();
        Assert.Contains(volume.Name, volumes);
        Assert.DoesNotContain(volumes, v => v.Contains("mp-upload-raw"));
        Assert.True(await AllocatedBytesAsync(FileOnB(volume)) < 300 * ConversionImages.MiB);
    }

    [Fact]
    public async Task CreateVolume_ReplacesTheVolumeAnInterruptedRunLeft_AndDisposeWithoutFinishAbortsTheUpload()
    {
        var (image, _) = await ConversionImages.Ext4WithPayloadAsync();
        var plan = Plan();
        var volume = Volume("disk0.raw");
        // An earlier run that stopped after 64 MiB: disposed without FinishAsync, so the stream is aborted.
        await using (var interrupted = await _connector.CreateVolumeAsync(plan, volume, new FileInfo(image).Length, None))
            await ConversionImages.FeedAsync(image, interrupted, None, finish: false, stopAfter: 64 * ConversionImages.MiB);
        Assert.Contains(volume.Name, await VolumesOnBAsync()); // the partial volume is left for the roll-back (or the next run)
        Assert.Contains("mismatch", await LibvirtLab.RunAsync("qemu-img", ["compare", "-f", "raw", "-F", "raw", image, FileOnB(volume)], check: false));

        await using (var again = await _connector.CreateVolumeAsync(plan, volume, new FileInfo(image).Length, None))
            await ConversionImages.FeedAsync(image, again, None);

        await LibvirtLab.RunAsync("qemu-img", ["compare", "-f", "raw", "-F", "raw", image, FileOnB(volume)]);
    }

    [Fact]
    public async Task CreateVolume_IsRefusedBeforeAnyVolumeIsMade_WhenTheHostsPinDoesNotMatch()
    {
        var plan = Plan(pin: new string('A', 64));
        var volume = Volume("disk0.raw");

        var refused = await Assert.ThrowsAsync<LibvirtException>(() => _connector.CreateVolumeAsync(plan, volume, 16 * ConversionImages.MiB, None));

        Assert.Contains(PinOfB(), refused.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(volume.Name, await VolumesOnBAsync());
    }

    [Fact]
    public async Task DefineDomain_DefinesAVirtioDomainWithThePortalsMetadata_AndFindClashFindsItByNameAndByUuid()
    {
        var plan = Plan();
        var disks = new[] { await EmptyVolumeAsync(plan, "disk0.raw"), await EmptyVolumeAsync(plan, "disk1.raw") };
        var uuid = Guid.NewGuid().ToString("D");
        Assert.False((await _connector.FindClashAsync(plan, $"{_prefix}-vm", uuid, None)).Any);

        await _connector.DefineDomainAsync(plan, Spec(plan, disks, uuid,
            [new ConvertedNic("00:50:56:AB:CD:EF", NetworkTargetKind.Network, "prod-net"), new ConvertedNic(null, NetworkTargetKind.Bridge, "br0")]), None);

        var xml = await _lab.VirshAsync(_lab.BUri, "dumpxml", "--inactive", $"{_prefix}-vm");
        Assert.Contains("<domain type='qemu'", xml); // Libvirt:ConvertedDomainType
        Assert.Contains($"<uuid>{uuid}</uuid>", xml);
        Assert.Contains("<acpi/>", xml);
        Assert.Contains($"<source file='{LibvirtLab.ImagesPath}/{disks[0].Name}'/>", xml);
        Assert.Contains("<target dev='vda' bus='virtio'/>", xml);
        Assert.Contains("<target dev='vdb' bus='virtio'/>", xml);
        Assert.Contains("<boot order='1'/>", xml);
        Assert.Contains("<mac address='00:50:56:ab:cd:ef'/>", xml);
        Assert.Contains("<source network='prod-net'/>", xml);
        Assert.Contains("<source bridge='br0'/>", xml);
        Assert.Contains("<model type='virtio'/>", xml);
        Assert.Contains("org.qemu.guest_agent.0", xml);
        Assert.Contains("urn:migrationportal:conversion:1", xml);
        Assert.Contains(plan.RequestId.ToString("D"), xml);
        Assert.Contains("&lt;dc1&gt; &amp; \"prod\"", xml); // the source's description, escaped by XDocument

        var byName = await _connector.FindClashAsync(plan, $"{_prefix}-vm", Guid.NewGuid().ToString("D"), None);
        Assert.Contains($"{_prefix}-vm", byName.ByName);
        Assert.Null(byName.ByUuid);
        var byUuid = await _connector.FindClashAsync(plan, "another-name", uuid, None);
        Assert.Null(byUuid.ByName);
        Assert.Contains(uuid, byUuid.ByUuid);
    }

    [Fact]
    public async Task RemoveConverted_StopsAndUndefinesTheDomainAndDeletesItsVolumes_AndReportsWhatWasAlreadyGone()
    {
        var plan = Plan();
        var disks = new[] { await EmptyVolumeAsync(plan, "disk0.raw") };
        var gone = Volume("never-made.raw");
        await _connector.DefineDomainAsync(plan, Spec(plan, disks), None);
        await _lab.VirshAsync(_lab.BUri, "start", $"{_prefix}-vm");

        var report = await _connector.RemoveConvertedAsync(plan, $"{_prefix}-vm", [.. disks, gone], None);

        output.WriteLine(report.Description);
        Assert.False(report.Kept, report.Description);
        Assert.Contains("lab-b", report.Description);
        Assert.Contains($"domain {_prefix}-vm", report.Description);
        Assert.Contains("stopped and undefined", report.Description);
        Assert.Contains($"volume {disks[0].Name} in pool images removed", report.Description);
        Assert.Contains($"volume {gone.Name} in pool images was not there", report.Description);
        Assert.DoesNotContain($"{_prefix}-vm", await _lab.VirshAsync(_lab.BUri, "list", "--all", "--name"));
        Assert.DoesNotContain(disks[0].Name, await VolumesOnBAsync());

        var again = await _connector.RemoveConvertedAsync(plan, $"{_prefix}-vm", disks, None);
        Assert.False(again.Kept);
        Assert.Contains($"domain {_prefix}-vm was not there", again.Description);
        Assert.Contains($"volume {disks[0].Name} in pool images was not there", again.Description);
    }

    [Fact]
    public async Task RemoveConverted_KeepsTheDomainAndItsVolume_WhenItsMetadataNamesAnotherRequest()
    {
        var owner = Plan();
        var disks = new[] { await EmptyVolumeAsync(owner, "disk0.raw") };
        await _connector.DefineDomainAsync(owner, Spec(owner, disks), None);
        var other = owner with { RequestId = Guid.NewGuid() };

        var report = await _connector.RemoveConvertedAsync(other, $"{_prefix}-vm", disks, None);

        Assert.True(report.Kept, report.Description);
        Assert.Contains($"its metadata names request {owner.RequestId}", report.Description);
        Assert.Contains($"volume {disks[0].Name} in pool images was not removed: domain {_prefix}-vm uses it", report.Description);
        Assert.Contains($"{_prefix}-vm", await _lab.VirshAsync(_lab.BUri, "list", "--all", "--name"));
        Assert.Contains(disks[0].Name, await VolumesOnBAsync());
    }

    [Fact]
    public async Task NetworkExists_FindsALibvirtNetworkAndABridge_AndRefusesAMissingOneAndAnInterfaceThatIsNoBridge()
    {
        var plan = Plan();
        var network = $"{_prefix}-net";
        var bridge = $"mpbr{_prefix[^6..]}";
        var definition = Path.Combine(Path.GetTempPath(), $"{network}.xml");
        await File.WriteAllTextAsync(definition, $"<network><name>{network}</name><bridge name='{bridge}x'/></network>");
        await _lab.VirshAsync(_lab.BUri, "net-define", definition);
        await LibvirtLab.RunAsync("ip", ["netns", "exec", _lab.BNetns!, "ip", "link", "add", bridge, "type", "bridge"]);
        try
        {
            var defined = await _connector.NetworkExistsAsync(plan, NetworkTargetKind.Network, network, None);
            Assert.True(defined.Exists, defined.Message);
            Assert.Contains("defined but not active", defined.Message);
            var missing = await _connector.NetworkExistsAsync(plan, NetworkTargetKind.Network, "no-such-net", None);
            Assert.False(missing.Exists);
            Assert.Contains("no libvirt network named no-such-net", missing.Message);

            var found = await _connector.NetworkExistsAsync(plan, NetworkTargetKind.Bridge, bridge, None);
            Assert.True(found.Exists, found.Message);
            var ethernet = await _connector.NetworkExistsAsync(plan, NetworkTargetKind.Bridge, "mplab-b", None);
            Assert.False(ethernet.Exists, ethernet.Message);
            Assert.Contains("not a bridge", ethernet.Message);
            var absent = await _connector.NetworkExistsAsync(plan, NetworkTargetKind.Bridge, "br-nowhere", None);
            Assert.False(absent.Exists);
            Assert.Contains(bridge, absent.Message); // it lists what the host has
        }
        finally
        {
            await LibvirtLab.RunAsync("ip", ["netns", "exec", _lab.BNetns!, "ip", "link", "del", bridge], check: false);
            await LibvirtLab.RunAsync("virsh", ["-c", _lab.BUri, "net-undefine", network], check: false);
            File.Delete(definition);
        }
    }

    [Fact]
    public async Task DefineDomain_GivesAnEfiSourceOvmfAndItsOwnNvram_WhichBootsAndIsRemovedWithTheDomain()
    {
        // The lab installs Debian's ovmf (lab.sh install); libvirt picks OVMF and makes the NVRAM from its template itself.
        Assert.True(File.Exists("/usr/share/qemu/firmware/60-edk2-x86_64.json"), "OVMF is not installed: run tests/lab/libvirt/lab.sh install");
        var plan = Plan();
        var disks = new[] { await EmptyVolumeAsync(plan, "disk0.raw") }; // nothing to boot: OVMF falls through to its shell
        await _connector.DefineDomainAsync(plan, Spec(plan, disks) with { Firmware = Firmware.Efi }, None);
        Assert.Contains("<os firmware='efi'>", await _lab.VirshAsync(_lab.BUri, "dumpxml", "--inactive", $"{_prefix}-vm"));

        // OVMF announces itself on the serial console (SeaBIOS never prints this): the domain really boots UEFI firmware.
        var clock = Stopwatch.StartNew();
        var result = await _connector.BootAsync(plan, $"{_prefix}-vm", new BootProbe(@"UEFI v\d|EDK II", TimeSpan.FromMinutes(2)), None);
        output.WriteLine($"OVMF answered after {clock.Elapsed.TotalSeconds:0.0} s: {result.How}\n{result.ConsoleExcerpt}");
        Assert.True(result.Answered, result.How + "\n" + result.ConsoleExcerpt);
        var live = await _lab.VirshAsync(_lab.BUri, "dumpxml", $"{_prefix}-vm");
        Assert.Matches(@"<loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE[^<]*\.fd</loader>", live);
        var nvram = Path.Combine(_lab.LabDir, "hosts/b/lib/qemu/nvram", $"{_prefix}-vm_VARS.fd");
        Assert.True(File.Exists(nvram), $"no NVRAM at {nvram}");

        var removed = await _connector.RemoveConvertedAsync(plan, $"{_prefix}-vm", disks, None);
        Assert.False(removed.Kept, removed.Description);
        Assert.False(File.Exists(nvram), "the roll-back left the domain's NVRAM behind");
    }

    [Fact]
    public async Task Boot_ReturnsNotAnsweredWithinTheProbesTimeout_WhenTheConsoleNeverPrintsThePattern()
    {
        var plan = Plan();
        var disks = new[] { await EmptyVolumeAsync(plan, "disk0.raw") }; // nothing to boot: the BIOS finds no boot device
        await _connector.DefineDomainAsync(plan, Spec(plan, disks), None);

        var clock = Stopwatch.StartNew();
        var result = await _connector.BootAsync(plan, $"{_prefix}-vm", new BootProbe("MIGRATIONPORTAL-MARKER", TimeSpan.FromSeconds(5)), None);
        output.WriteLine($"boot probe gave up after {clock.Elapsed.TotalSeconds:0.0} s: {result.How}\n{result.ConsoleExcerpt}");

        Assert.False(result.Answered);
        Assert.Contains("no answer within 5 s", result.How);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(20));
        Assert.Contains("running", await _lab.VirshAsync(_lab.BUri, "domstate", $"{_prefix}-vm"));

        // A boot of a domain that is already running starts it over (a new QEMU process, so a new domain ID).
        var firstId = (await _lab.VirshAsync(_lab.BUri, "domid", $"{_prefix}-vm")).Trim();
        var again = await _connector.BootAsync(plan, $"{_prefix}-vm", new BootProbe("MIGRATIONPORTAL-MARKER", TimeSpan.FromSeconds(2)), None);
        Assert.False(again.Answered);
        Assert.NotEqual(firstId, (await _lab.VirshAsync(_lab.BUri, "domid", $"{_prefix}-vm")).Trim());
    }

    [Fact]
    public async Task Boot_AnswersWithTheMarkerAndThePayloadSha_WhenTheFixturesDisksAreUploadedAndDefined()
    {
        var root = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(_lab.Script)!, "../../.."));
        var fixture = (await LibvirtLab.RunAsync(Path.Combine(root, "tests/lab/vcsim/conversion-fixture.sh"), ["--print-env"], TimeSpan.FromMinutes(5)))
            .Split('\n').Select(l => l.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0].Trim(), p => p[1].Trim());
        var plan = Plan();
        var boot = Volume("boot.raw");
        var data = Volume("data.qcow2", ConvertedDiskFormat.Qcow2);
        var clock = Stopwatch.StartNew();
        foreach (var (volume, image) in new[] { (boot, fixture["BOOT_IMG"]), (data, fixture["DATA_IMG"]) })
            await using (var sink = await _connector.CreateVolumeAsync(plan, volume, new FileInfo(image).Length, None))
            {
                await ConversionImages.FeedAsync(image, sink, None);
                output.WriteLine(((LibvirtVolumeSink)sink).Summary);
            }

        var uploaded = clock.Elapsed;
        await _connector.DefineDomainAsync(plan, Spec(plan, [boot, data], fixture["VM_UUID"]), None);
        clock.Restart();

        var result = await _connector.BootAsync(plan, $"{_prefix}-vm", new BootProbe(@"^PAYLOAD-SHA256 [0-9a-f]{64}", TimeSpan.FromMinutes(3)), None);

        output.WriteLine($"uploads {uploaded.TotalSeconds:0.0} s, boot to answer {clock.Elapsed.TotalSeconds:0.0} s: {result.How}\n{result.ConsoleExcerpt}");
        Assert.True(result.Answered, result.How + "\n" + result.ConsoleExcerpt);
        Assert.StartsWith("serial console", result.How);
        Assert.Contains($"MIGRATIONPORTAL-MARKER {fixture["MARKER"]}", result.ConsoleExcerpt);
        Assert.Contains($"PAYLOAD-SHA256 {fixture["PAYLOAD_SHA256"]}", result.ConsoleExcerpt);
        Assert.DoesNotContain("\u001b", result.ConsoleExcerpt, StringComparison.Ordinal); // ordinal: ICU ignores control characters

        var removed = await _connector.RemoveConvertedAsync(plan, $"{_prefix}-vm", [boot, data], None);
        Assert.False(removed.Kept, removed.Description);
        Assert.Contains("stopped and undefined", removed.Description);
    }
}
