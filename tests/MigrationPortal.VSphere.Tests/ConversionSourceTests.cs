using System.Diagnostics;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Infrastructure.Connectors.VSphere;
using MigrationPortal.VSphere.Tests.Lab;

namespace MigrationPortal.VSphere.Tests;

/// <summary>
/// The vSphere connector as the source of a conversion (<see cref="IConversionSource"/>), against the real simulator:
/// describe, guest shutdown with its power-off fallback, power on, annotate, and the export (ExportVm, HttpNfcLease
/// kept alive, flat disks read as raw bytes over /folder, other disks as the lease's VMDK) with its failures.
/// The disk images are the test's own: written into the simulator's datastore with a PUT, as an administrator's
/// upload would, so every byte read back can be compared with what was written.
/// </summary>
public sealed class ConversionSourceTests
{
    private const string Vm = "DC0_C0_RP0_VM0";
    private const string VmDir = Vm;
    private const long Capacity = 1024 * 1024; // the model's disks are 1 MiB

    private static ConnectionInfo Info(VcsimLab lab, string? pin = null) =>
        new(Guid.NewGuid(), "vcsim", "vsphere", lab.SdkUrl.ToString(), VcsimLab.User, VcsimLab.Password, pin ?? lab.Thumbprint, false);

    private static VSphereConnector Connector(VSphereOptions? options = null) =>
        new(Options.Create(options ?? new VSphereOptions { TaskPollInterval = TimeSpan.FromMilliseconds(100) }), TimeProvider.System, NullLogger<VSphereConnector>.Instance);

    private static async Task<MigrationPlan> PlanAsync(VcsimLab lab, ConnectionInfo info, string vmName = Vm)
    {
        var vm = await lab.VmAsync(vmName);
        return new MigrationPlan(Guid.NewGuid(), info, info, vm["id"]!.GetValue<string>(), vmName, MigrationKind.CrossPlatform, false,
            vm["host"]!["id"]!.GetValue<string>(), "LocalDS_0", new MigrationTarget(info.Id, null, null, null, null, null), new MigrationOptions(), null);
    }

    [Fact]
    public async Task DescribeForConversion_ReadsIdentitySizeFirmwareDisksAndNics_WhenVmIsConfigured()
    {
        await using var lab = await VcsimLab.StartAsync(clusters: 1, taskDuration: TimeSpan.FromMilliseconds(100));
        var info = Info(lab);
        var plan = await PlanAsync(lab, info);
        const string uuid = "4211c0de-0000-4000-8000-00000000beef";
        await using (var client = await VimClient.ConnectAsync(info, new VSphereOptions(), NullLogger.Instance, default))
            await client.RunTaskAsync("ReconfigVM_Task", new MoRef("VirtualMachine", plan.VmExternalId), default, Vim.E("spec",
                Vim.E("numCPUs", 3), Vim.E("memoryMB", 1536), Vim.E("uuid", uuid), Vim.E("guestId", "debian10_64Guest"), Vim.E("firmware", "efi")));
        await using var connector = Connector();

        var vm = await connector.DescribeForConversionAsync(plan, default);

        Assert.Equal((plan.VmExternalId, Vm, uuid, 3, 1536L, Firmware.Efi, "debian10_64Guest", PowerState.On, 0),
            (vm.ExternalId, vm.Name, vm.BiosUuid, vm.Cpus, vm.MemoryMb, vm.Firmware, vm.GuestId, vm.PowerState, vm.SnapshotCount));
        Assert.False(vm.IsWindows);
        var disk = Assert.Single(vm.Disks);
        Assert.Equal((Capacity, "LocalDS_0", $"[LocalDS_0] {VmDir}/disk1.vmdk", DiskBacking.Flat, false),
            (disk.CapacityBytes, disk.DatastoreName, disk.FilePath, disk.Backing, disk.Independent));
        Assert.Matches("^[0-9]+$", disk.Key); // the device key, as the export names its disks
        Assert.False(string.IsNullOrWhiteSpace(disk.Label));
        var nic = Assert.Single(vm.Nics);
        Assert.Matches("^([0-9a-f]{2}:){5}[0-9a-f]{2}$", nic.MacAddress);
        Assert.Equal(("e1000", "DC0_DVPG0"), (nic.AdapterType, nic.NetworkName));
    }

    [Fact]
    public async Task DescribeForConversion_ReadsTheFixtureVm_DisksInBootOrderNicFirmwareAndUuid()
    {
        var fixture = await ConversionFixture.LoadAsync();
        await using var lab = await ConversionFixture.StartLabAsync(fixture);
        await using var connector = Connector();

        var vm = await connector.DescribeForConversionAsync(await PlanAsync(lab, Info(lab), ConversionFixture.Vm), default);

        Assert.Equal((ConversionFixture.Vm, fixture["VM_UUID"], 1, 256L, Firmware.Bios, fixture["GUEST_ID"], "Debian GNU/Linux 12 (64-bit)", PowerState.On, 0),
            (vm.Name, vm.BiosUuid, vm.Cpus, vm.MemoryMb, vm.Firmware, vm.GuestId, vm.GuestFullName, vm.PowerState, vm.SnapshotCount));
        Assert.Equal([("Hard disk 1", long.Parse(fixture["BOOT_BYTES"]), "[LocalDS_0] conv-vm/conv-vm.vmdk"), ("Hard disk 2", long.Parse(fixture["DATA_BYTES"]), "[LocalDS_0] conv-vm/conv-vm_1.vmdk")],
            vm.Disks.Select(d => (d.Label, d.CapacityBytes, d.FilePath)).ToList());
        Assert.All(vm.Disks, d => Assert.Equal((DiskBacking.Flat, false, "LocalDS_0"), (d.Backing, d.Independent, d.DatastoreName)));
        var nic = Assert.Single(vm.Nics);
        Assert.Equal(("Network adapter 1", fixture["VM_MAC"], "VM Network", "vmxnet3"), (nic.Label, nic.MacAddress, nic.NetworkName, nic.AdapterType));
    }

    [Fact]
    public async Task Export_ReadsFixtureDisksAsRawBytesEqualToTheFlatImages()
    {
        var fixture = await ConversionFixture.LoadAsync();
        await using var lab = await ConversionFixture.StartLabAsync(fixture);
        var plan = await PlanAsync(lab, Info(lab), ConversionFixture.Vm);
        await using var connector = Connector();
        await connector.ShutDownAsync(plan, TimeSpan.FromSeconds(30), default);

        await using var export = await connector.BeginExportAsync(plan, default);
        var hashes = new List<string>();
        foreach (var disk in export.Disks)
        {
            await using var reader = await export.OpenAsync(disk, default);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[2 * 1024 * 1024]; // qemu-img's largest request
            long offset = 0;
            for (int n; (n = await reader.ReadAsync(offset, buffer, default)) > 0; offset += n) hash.AppendData(buffer, 0, n);
            Assert.Equal((DiskImageFormat.Raw, disk.CapacityBytes, 1), (reader.Format, offset, ((VSphereDiskReader)reader).Requests));
            hashes.Add(Convert.ToHexString(hash.GetHashAndReset()));
        }

        await export.CompleteAsync(default);

        Assert.Equal([await Sha256Async(fixture["BOOT_IMG"]), await Sha256Async(fixture["DATA_IMG"])], hashes);
        Assert.Equal("done", (await Control(lab).LeaseAsync(export.ExportId))["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task ShutDown_LetsTheGuestShutDown_WhenToolsRun()
    {
        await using var lab = await VcsimLab.StartAsync(clusters: 1, taskDuration: TimeSpan.FromMilliseconds(100));
        await lab.ConfigureAsync(new JsonObject { ["guestShutdownDelay"] = "700ms" });
        var plan = await PlanAsync(lab, Info(lab));
        await using var connector = Connector();

        var result = await connector.ShutDownAsync(plan, TimeSpan.FromSeconds(20), default);

        Assert.True(result.GuestShutDown, result.Description);
        Assert.Equal(PowerState.Off, (await connector.DescribeForConversionAsync(plan, default)).PowerState);
        Assert.Equal((1, 0), (await lab.CallsAsync("ShutdownGuest"), await lab.CallsAsync("PowerOffVM_Task")));
    }

    [Fact]
    public async Task ShutDown_FallsBackToPowerOff_WhenGuestIgnoresShutdown()
    {
        await using var lab = await VcsimLab.StartAsync(clusters: 1, taskDuration: TimeSpan.FromMilliseconds(100));
        var plan = await PlanAsync(lab, Info(lab));
        await Control(lab).InjectAsync(new JsonObject { ["method"] = "ShutdownGuest", ["guestIgnoresShutdown"] = true, ["entity"] = Vm });
        await using var connector = Connector();
        var watch = Stopwatch.StartNew();

        var result = await connector.ShutDownAsync(plan, TimeSpan.FromSeconds(1.5), default);

        Assert.False(result.GuestShutDown, result.Description);
        Assert.Contains("PowerOffVM_Task", result.Description);
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(1.4), $"powered off after {watch.Elapsed}, before the guest's time was up");
        Assert.Equal(PowerState.Off, (await connector.DescribeForConversionAsync(plan, default)).PowerState);
        Assert.Equal((1, 1), (await lab.CallsAsync("ShutdownGuest"), await lab.CallsAsync("PowerOffVM_Task")));
    }

    [Fact]
    public async Task ShutDownAndPowerOn_DoNothing_WhenVmIsAlreadyInThatState()
    {
        await using var lab = await VcsimLab.StartAsync(clusters: 1, taskDuration: TimeSpan.FromMilliseconds(100));
        var plan = await PlanAsync(lab, Info(lab));
        await using var connector = Connector();

        await connector.PowerOnAsync(plan, default);
        Assert.Equal(0, await lab.CallsAsync("PowerOnVM_Task"));
        await connector.ShutDownAsync(plan, TimeSpan.FromSeconds(20), default);
        await lab.ResetCallsAsync();

        var again = await connector.ShutDownAsync(plan, TimeSpan.FromSeconds(20), default);
        Assert.Contains("already powered off", again.Description);
        Assert.Equal((0, 0), (await lab.CallsAsync("ShutdownGuest"), await lab.CallsAsync("PowerOffVM_Task")));

        await connector.PowerOnAsync(plan, default);
        Assert.Equal(1, await lab.CallsAsync("PowerOnVM_Task"));
        Assert.Equal(PowerState.On, (await connector.DescribeForConversionAsync(plan, default)).PowerState);
    }

    [Fact]
    public async Task Annotate_AppendsNoteOnce_AndKeepsExistingAnnotation()
    {
        await using var lab = await VcsimLab.StartAsync(clusters: 1, taskDuration: TimeSpan.FromMilliseconds(100));
        var info = Info(lab);
        var plan = await PlanAsync(lab, info);
        await using var client = await VimClient.ConnectAsync(info, new VSphereOptions(), NullLogger.Instance, default);
        var vmRef = new MoRef("VirtualMachine", plan.VmExternalId);
        await client.RunTaskAsync("ReconfigVM_Task", vmRef, default, Vim.E("spec", Vim.E("annotation", "Owner: billing team")));
        await using var connector = Connector();
        const string note = "Converted to KVM by MigrationPortal request 42 (libvirt host-b, domain billing-db).";

        await connector.AnnotateAsync(plan, note, default);
        await connector.AnnotateAsync(plan, note, default); // a step run again after a crash

        Assert.Equal("Owner: billing team\n" + note, (await client.RetrieveObjectAsync(vmRef, ["config.annotation"], default)).String("config.annotation"));
    }

    [Fact]
    public async Task Export_ReadsFlatDiskAsRawBytesEqualToTheImage_ThroughFewRequests()
    {
        await using var lab = await VcsimLab.StartAsync(clusters: 1, taskDuration: TimeSpan.FromMilliseconds(100));
        var image = RandomNumberGenerator.GetBytes((int)Capacity);
        await Control(lab).PutFlatDiskAsync(image);
        var plan = await PlanAsync(lab, Info(lab));
        await using var connector = Connector();
        await connector.ShutDownAsync(plan, TimeSpan.FromSeconds(20), default);

        await using var export = await connector.BeginExportAsync(plan, default);
        var disk = Assert.Single(export.Disks);
        Assert.Equal((DiskImageFormat.Raw, Capacity), (disk.Format, disk.CapacityBytes));
        Assert.Contains("/folder/" + VmDir + "/disk1-flat.vmdk?dcPath=DC0&dsName=LocalDS_0", disk.Location);
        await using var reader = await export.OpenAsync(disk, default);
        var read = await ReadAllAsync(reader, chunk: 64 * 1024);
        // qemu-img also reads backwards now and then (a header, then data): a jump and a return continue correctly.
        var probe = new byte[4096];
        Assert.Equal(4096, await reader.ReadAsync(Capacity - 4096, probe, default));
        Assert.Equal(image.AsSpan((int)Capacity - 4096).ToArray(), probe);
        Assert.Equal(4096, await reader.ReadAsync(12345, probe, default));
        Assert.Equal(image.AsSpan(12345, 4096).ToArray(), probe);
        await export.CompleteAsync(default);

        Assert.Equal((Capacity, Convert.ToHexString(SHA256.HashData(image))), (reader.Length, Convert.ToHexString(SHA256.HashData(read))));
        Assert.Equal(3, ((VSphereDiskReader)reader).Requests); // one for the 16 sequential chunks, one per jump
        var lease = await Control(lab).LeaseAsync(export.ExportId);
        Assert.Equal("done", lease["state"]!.GetValue<string>());
        Assert.True(lease["bytesServed"]!.GetValue<long>() >= Capacity);
    }

    [Fact]
    public async Task Export_ServesLeaseVmdk_WhenDiskIsNotOneFlatExtent()
    {
        await using var lab = await VcsimLab.StartAsync(clusters: 1, taskDuration: TimeSpan.FromMilliseconds(100));
        var image = RandomNumberGenerator.GetBytes((int)Capacity);
        await Control(lab).PutSplitFlatDiskAsync(image);
        var plan = await PlanAsync(lab, Info(lab));
        await using var connector = Connector();
        await connector.ShutDownAsync(plan, TimeSpan.FromSeconds(20), default);

        await using var export = await connector.BeginExportAsync(plan, default);
        var disk = Assert.Single(export.Disks);
        Assert.Equal(DiskImageFormat.Vmdk, disk.Format);
        Assert.DoesNotContain(export.ExportId, disk.Location); // the lease's URL path is its ticket: not in messages
        await using var reader = await export.OpenAsync(disk, default);
        var vmdk = await ReadAllAsync(reader, chunk: 2 * 1024 * 1024);
        await export.CompleteAsync(default);

        Assert.Equal("KDMV", Encoding.ASCII.GetString(vmdk, 0, 4));
        Assert.Equal(Convert.ToHexString(SHA256.HashData(image)), Convert.ToHexString(SHA256.HashData(await QemuToRawAsync(vmdk))));
    }

    [Fact]
    public async Task Export_FailsBeforeAnyByteIsRead_WhenPinIsWrong()
    {
        await using var lab = await VcsimLab.StartAsync(clusters: 1, taskDuration: TimeSpan.FromMilliseconds(100));
        await Control(lab).PutFlatDiskAsync(RandomNumberGenerator.GetBytes((int)Capacity));
        var good = await PlanAsync(lab, Info(lab));
        await using (var connector = Connector()) await connector.ShutDownAsync(good, TimeSpan.FromSeconds(20), default);
        var wrong = good with { Source = Info(lab, pin: new string('C', 64)) };
        await lab.ResetCallsAsync();
        await using var refused = Connector();

        var error = await Assert.ThrowsAsync<ConnectorException>(() => refused.BeginExportAsync(wrong, default));

        Assert.Equal("CertificateNotTrusted", error.FaultType);
        Assert.Contains("does not match the pinned thumbprint", error.Message);
        Assert.Equal((0, 0), (await lab.CallsAsync("RetrieveServiceContent"), await lab.CallsAsync("ExportVm")));
        Assert.Empty(await Control(lab).LeasesAsync());
    }

    [Fact]
    public async Task Read_FailsWithConnectorException_WhenLeaseIsAbortedMidStream()
    {
        await using var lab = await VcsimLab.StartAsync(clusters: 1, taskDuration: TimeSpan.FromMilliseconds(100));
        await Control(lab).PutFlatDiskAsync(RandomNumberGenerator.GetBytes((int)Capacity));
        var plan = await PlanAsync(lab, Info(lab));
        await using var connector = Connector();
        await connector.ShutDownAsync(plan, TimeSpan.FromSeconds(20), default);
        await Control(lab).InjectAsync(new JsonObject { ["method"] = "ExportVm", ["abortLeaseAfterBytes"] = 256 * 1024, ["entity"] = Vm });

        await using var export = await connector.BeginExportAsync(plan, default);
        await using var reader = await export.OpenAsync(export.Disks[0], default);
        var error = await Assert.ThrowsAsync<ConnectorException>(() => ReadAllAsync(reader, chunk: 64 * 1024));

        Assert.Contains(lab.SdkUrl.Authority, error.Message);
        Assert.Contains(export.Disks[0].Label, error.Message);
        Assert.Contains("error", error.Message); // the lease's state, as vCenter reports it
        await Assert.ThrowsAsync<ConnectorException>(async () => await reader.ReadAsync(0, new byte[512], default));
        Assert.Equal("error", (await Control(lab).LeaseAsync(export.ExportId))["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task Export_StaysAliveThroughKeepAlive_AndAbortsOnDispose_WhenNotCompleted()
    {
        await using var lab = await VcsimLab.StartAsync(clusters: 1, taskDuration: TimeSpan.FromMilliseconds(100));
        await lab.ConfigureAsync(new JsonObject { ["leaseTimeout"] = "2s" });
        await Control(lab).PutFlatDiskAsync(RandomNumberGenerator.GetBytes((int)Capacity));
        var plan = await PlanAsync(lab, Info(lab));
        await using var connector = Connector(new VSphereOptions { TaskPollInterval = TimeSpan.FromMilliseconds(100), LeaseProgressInterval = TimeSpan.FromMilliseconds(200) });
        await connector.ShutDownAsync(plan, TimeSpan.FromSeconds(20), default);

        var export = await connector.BeginExportAsync(plan, default);
        export.ReportProgress(40);
        await Task.Delay(TimeSpan.FromSeconds(5)); // more than two lease timeouts
        var alive = await Control(lab).LeaseAsync(export.ExportId);
        await using (var reader = await export.OpenAsync(export.Disks[0], default))
            Assert.Equal(512, await reader.ReadAsync(0, new byte[512], default));
        await export.DisposeAsync();

        Assert.Equal(("ready", 40), (alive["state"]!.GetValue<string>(), alive["transferProgress"]!.GetValue<int>()));
        var ended = await Control(lab).LeaseAsync(export.ExportId);
        Assert.Equal("error", ended["state"]!.GetValue<string>());
        Assert.Contains("without completing", ended["error"]!.GetValue<string>());
        Assert.Contains("already ended", await connector.AbortExportAsync(plan, export.ExportId, "clean-up", default));
        Assert.Null(await connector.ResumeExportAsync(plan, export.ExportId, default));
    }

    [Fact]
    public async Task ResumeExport_ReattachesToReadyLease_AndAbortExportEndsIt()
    {
        await using var lab = await VcsimLab.StartAsync(clusters: 1, taskDuration: TimeSpan.FromMilliseconds(100));
        var image = RandomNumberGenerator.GetBytes((int)Capacity);
        await Control(lab).PutFlatDiskAsync(image);
        var plan = await PlanAsync(lab, Info(lab));
        string exportId;
        await using (var first = Connector())
        {
            await first.ShutDownAsync(plan, TimeSpan.FromSeconds(20), default);
            exportId = (await first.BeginExportAsync(plan, default)).ExportId; // the node dies: never completed, never disposed
        }

        await using var second = Connector(); // a new session, as after a restart
        var resumed = await second.ResumeExportAsync(plan, exportId, default);
        Assert.NotNull(resumed);
        await using (var reader = await resumed.OpenAsync(resumed.Disks[0], default))
            Assert.Equal(Convert.ToHexString(SHA256.HashData(image)), Convert.ToHexString(SHA256.HashData(await ReadAllAsync(reader, 256 * 1024))));

        var said = await second.AbortExportAsync(plan, exportId, "the conversion was rolled back", default);

        Assert.Contains("aborted", said);
        Assert.Equal("error", (await Control(lab).LeaseAsync(exportId))["state"]!.GetValue<string>());
        Assert.Contains("no longer exists", await second.AbortExportAsync(plan, "lease-999999", "clean-up", default));
        await Assert.ThrowsAsync<ConnectorException>(async () => await resumed.OpenAsync(resumed.Disks[0], default));
    }

    private static async Task<byte[]> ReadAllAsync(IRandomAccessDisk disk, int chunk)
    {
        using var all = new MemoryStream();
        var buffer = new byte[chunk];
        long offset = 0;
        while (true)
        {
            var n = await disk.ReadAsync(offset, buffer, default);
            if (n == 0) break;
            all.Write(buffer, 0, n);
            offset += n;
        }

        return all.ToArray();
    }

    private static async Task<byte[]> QemuToRawAsync(byte[] vmdk)
    {
        var dir = Directory.CreateTempSubdirectory("conv-test-").FullName;
        try
        {
            var input = Path.Combine(dir, "in.vmdk");
            var output = Path.Combine(dir, "out.raw");
            await File.WriteAllBytesAsync(input, vmdk);
            var start = new ProcessStartInfo("qemu-img") { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var a in new[] { "convert", "-f", "vmdk", "-O", "raw", input, output }) start.ArgumentList.Add(a);
            using var process = Process.Start(start)!;
            var stderr = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, $"qemu-img convert failed: {stderr}");
            return await File.ReadAllBytesAsync(output);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<string> Sha256Async(string path)
    {
        await using var file = File.OpenRead(path);
        return Convert.ToHexString(await SHA256.HashDataAsync(file));
    }

    private static ConversionLab Control(VcsimLab lab) => new(lab);

    /// <summary>The parts of the simulator's control API and datastore file service these tests need beyond <see cref="VcsimLab"/>.</summary>
    private sealed class ConversionLab(VcsimLab lab)
    {
        private readonly HttpClient Http = new(new HttpClientHandler
        {
            // The control API shares the simulator's listener; trust exactly its certificate.
            ServerCertificateCustomValidationCallback = (_, cert, _, _) =>
                cert is not null && Convert.ToHexString(SHA256.HashData(cert.RawData)) == lab.Thumbprint.Replace(":", ""),
        });

        private Uri Base => new(lab.SdkUrl.GetLeftPart(UriPartial.Authority));

        public async Task InjectAsync(JsonObject fault)
        {
            var response = await Http.PostAsJsonAsync(new Uri(Base, "/lab/fault"), fault);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }

        public async Task<IReadOnlyList<JsonObject>> LeasesAsync()
        {
            var body = JsonNode.Parse(await Http.GetStringAsync(new Uri(Base, "/lab/leases")))!;
            return body["leases"]?.AsArray().Select(l => l!.AsObject()).ToList() ?? [];
        }

        public async Task<JsonObject> LeaseAsync(string id) =>
            (await LeasesAsync()).SingleOrDefault(l => l["id"]!.GetValue<string>() == id) ?? throw new InvalidOperationException($"The lab has no lease {id}.");

        /// <summary>A monolithic flat disk: a "vmfs" descriptor naming one VMFS extent, and the extent.</summary>
        public async Task PutFlatDiskAsync(byte[] image)
        {
            await PutAsync("disk1-flat.vmdk", image);
            await PutAsync("disk1.vmdk", Encoding.ASCII.GetBytes(Descriptor("vmfs", $"RW {image.Length / 512} VMFS \"disk1-flat.vmdk\"")));
        }

        /// <summary>A disk in two flat extents (twoGbMaxExtentFlat): not one extent the portal can read raw, so the lease serves it.</summary>
        public async Task PutSplitFlatDiskAsync(byte[] image)
        {
            var half = image.Length / 2;
            await PutAsync("disk1-f001.vmdk", image[..half]);
            await PutAsync("disk1-f002.vmdk", image[half..]);
            await PutAsync("disk1.vmdk", Encoding.ASCII.GetBytes(Descriptor("twoGbMaxExtentFlat",
                $"RW {half / 512} FLAT \"disk1-f001.vmdk\" 0\nRW {half / 512} FLAT \"disk1-f002.vmdk\" 0")));
        }

        private static string Descriptor(string createType, string extents) =>
            $"# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType=\"{createType}\"\n\n# Extent description\n{extents}\n\n"
            + "# The Disk Data Base\n#DDB\nddb.virtualHWVersion = \"4\"\nddb.geometry.cylinders = \"2\"\nddb.geometry.heads = \"16\"\nddb.geometry.sectors = \"63\"\nddb.adapterType = \"lsilogic\"\n";

        private async Task PutAsync(string file, byte[] content)
        {
            var response = await Http.PutAsync(new Uri(Base, $"/folder/{VmDir}/{file}?dcPath=DC0&dsName=LocalDS_0"), new ByteArrayContent(content));
            Assert.True(response.IsSuccessStatusCode, $"PUT {file}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }
}
