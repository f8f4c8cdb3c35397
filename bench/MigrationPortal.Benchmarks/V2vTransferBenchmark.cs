using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Infrastructure.Connectors.Libvirt;
using MigrationPortal.Infrastructure.Connectors.VSphere;
using MigrationPortal.Infrastructure.Conversion;
using MigrationPortal.Libvirt.Tests;
using MigrationPortal.VSphere.Tests.Lab;

namespace MigrationPortal.Benchmarks;

/// <summary>
/// VMware to KVM, the whole disk transfer: the vcsim lab's conversion fixture (conv-vm, its flat data disk) into a new
/// volume in the libvirt lab's host B (a transient pool "mpbench" under /var/tmp, qemu+tls with B's certificate pinned).
/// portal: VSphereConnector.BeginExportAsync (ExportVm, lease) → OpenAsync(data disk) (pinned HTTPS ranges of the
/// flat extent) → QemuImgDiskConverter.ConvertAsync → LibvirtConnector.CreateVolumeAsync (sparse virStorageVolUpload)
/// → FinishAsync → export.CompleteAsync; nothing is written on the portal's node.
/// baseline (stock tools): virsh vol-create-as; nbdkit curl (the same /folder URL, cainfo = the simulator's PEM) on a
/// unix socket → qemu-img convert into a temporary raw file → virsh vol-upload --sparse.
/// Rounds alternate (portal, baseline); every result is checked with qemu-img compare of B's volume file against the
/// fixture's flat image. Usage: v2v-transfer rounds fixtureDir[,fixtureDir...]  (the lab environment of
/// tests/lab/libvirt/lab.sh env must be exported).
/// </summary>
public static class V2vTransferBenchmark
{
    private const double MiB = 1024 * 1024;
    // A transient pool of the benchmark's own on B: the lab's tests, if they run alongside, clean B's "images" and "fast" pools.
    private const string Pool = "mpbench";
    private const string PoolDir = "/var/tmp/mpbench-b-pool";

    public static async Task RunAsync(string[] args)
    {
        var rounds = int.Parse(args[0], CultureInfo.InvariantCulture);
        var lines = new List<string>();
        Directory.CreateDirectory(PoolDir);
        await Run("virsh", "-c", TlsUriWithPki(), "pool-create-as", Pool, "dir", "--target", PoolDir);
        try
        {
            foreach (var dir in args[1].Split(','))
                lines.AddRange(await RunFixtureAsync(rounds, dir));
        }
        finally
        {
            await Run("virsh", "-c", TlsUriWithPki(), "pool-destroy", Pool);
            Directory.Delete(PoolDir, recursive: true);
        }
        Console.WriteLine();
        Console.WriteLine($"| data disk (capacity / written) | run | wall s median of {rounds} (min–max) | MiB/s of capacity | MiB/s of data | temporary copy on the node |");
        Console.WriteLine("| --- | --- | ---: | ---: | ---: | --- |");
        foreach (var line in lines) Console.WriteLine(line);
    }

    private static async Task<List<string>> RunFixtureAsync(int rounds, string dir)
    {
        var env = File.ReadAllLines(Path.Combine(dir, "fixture.env")).Where(l => l.Contains('='))
            .ToDictionary(l => l[..l.IndexOf('=')], l => l[(l.IndexOf('=') + 1)..]);
        var capacity = long.Parse(env["DATA_BYTES"], CultureInfo.InvariantCulture);
        var payload = long.Parse(env["PAYLOAD_BYTES"], CultureInfo.InvariantCulture);
        var image = env["DATA_IMG"];
        var data = await AllocatedAsync(image);
        var libvirt = LibvirtLab.Current;
        await using var vcsim = await VcsimLab.StartAsync(clusters: 1, taskDuration: TimeSpan.FromMilliseconds(100), startTimeout: TimeSpan.FromMinutes(3),
            extraArgs: ["-conversion-fixture", dir]);
        var source = new ConnectionInfo(Guid.NewGuid(), "vcsim", ConnectionKinds.VSphere, vcsim.SdkUrl.ToString(), VcsimLab.User, VcsimLab.Password, vcsim.Thumbprint, false);
        using var bCert = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(libvirt.LabDir, "pki/b-cert.pem")));
        var destination = new ConnectionInfo(Guid.NewGuid(), "kvm-lab-b", ConnectionKinds.Libvirt, $"{libvirt.BTlsUri}#sha256={Convert.ToHexString(SHA256.HashData(bCert.RawData))}",
            null, null, null, false, Pem("LIBVIRT_LAB_CA_CERT"), Pem("LIBVIRT_LAB_CLIENT_CERT"), Pem("LIBVIRT_LAB_CLIENT_KEY"));
        var vm = await vcsim.VmAsync("conv-vm");
        var plan = new MigrationPlan(Guid.NewGuid(), source, destination, vm["id"]!.GetValue<string>(), "conv-vm", MigrationKind.CrossPlatform, false,
            vm["host"]!["id"]!.GetValue<string>(), "LocalDS_0", new MigrationTarget(destination.Id, libvirt.BTlsUri, "lab-b", null, "mpbench@lab-b", null), new MigrationOptions(false, true), null);
        await using var vsphere = new VSphereConnector(Options.Create(new VSphereOptions { TaskPollInterval = TimeSpan.FromMilliseconds(100) }), TimeProvider.System,
            NullLogger<VSphereConnector>.Instance);
        var kvm = new LibvirtConnector(new LibvirtJobRegistry(), Options.Create(new LibvirtOptions()), TimeProvider.System, NullLogger<LibvirtConnector>.Instance);
        var converter = new QemuImgDiskConverter(Options.Create(new ConversionOptions()), TimeProvider.System, NullLogger<QemuImgDiskConverter>.Instance);
        await vsphere.ShutDownAsync(plan, TimeSpan.FromSeconds(30), default); // as the portal does before the export; not timed

        // The stock pipeline reads the same flat extent over /folder, with the simulator's certificate as its CA.
        var pemFile = Path.Combine(Path.GetTempPath(), $"mp-v2v-vcsim-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(pemFile, vcsim.CertificatePem);
        var url = new Uri(vcsim.SdkUrl, "/folder/conv-vm/conv-vm_1-flat.vmdk?dcPath=DC0&dsName=LocalDS_0").ToString();
        var label = $"{capacity / MiB:0} MiB / {data / MiB:0} MiB ({payload / MiB:0} MiB payload)";
        var portal = new List<double>();
        var baseline = new List<double>();
        try
        {
            for (var round = 0; round < rounds; round++)
            {
                var name = $"mpbench-{Guid.NewGuid().ToString("N")[..8]}";
                var watch = Stopwatch.StartNew();
                await using (var export = await vsphere.BeginExportAsync(plan, default))
                {
                    var disk = export.Disks[1];
                    await using var reader = await export.OpenAsync(disk, default);
                    await using var sink = await kvm.CreateVolumeAsync(plan, new VolumeRef(libvirt.BTlsUri, Pool, name + "-portal", ConvertedDiskFormat.Raw), disk.CapacityBytes, default);
                    await converter.ConvertAsync(reader, disk.CapacityBytes, sink, _ => Task.CompletedTask, default);
                    await sink.FinishAsync(default);
                    await export.CompleteAsync(default);
                }
                portal.Add(watch.Elapsed.TotalSeconds);
                Console.WriteLine($"{label} round {round + 1}: portal {portal[^1]:F2} s");
                await VerifyAndDeleteAsync(libvirt, image, name + "-portal");

                baseline.Add(await BaselineAsync(libvirt, url, pemFile, capacity, name + "-stock"));
                Console.WriteLine($"{label} round {round + 1}: baseline {baseline[^1]:F2} s");
                await VerifyAndDeleteAsync(libvirt, image, name + "-stock");
            }
        }
        finally
        {
            File.Delete(pemFile);
        }

        var (p, b) = (Median(portal), Median(baseline));
        Console.WriteLine($"ratio {label}: portal / baseline = {p / b:F2}");
        return
        [
            $"| {label} | portal (export → converter → libvirt upload) | {p:F2} ({portal.Min():F2}–{portal.Max():F2}) | {capacity / MiB / p:F0} | {data / MiB / p:F0} | none |",
            $"| {label} | nbdkit curl → qemu-img → virsh vol-upload --sparse | {b:F2} ({baseline.Min():F2}–{baseline.Max():F2}) | {capacity / MiB / b:F0} | {data / MiB / b:F0} | {capacity / MiB:0} MiB raw file ({data / MiB:0} MiB allocated) |",
            $"| {label} | **ratio portal ÷ baseline** | **{p / b:F2}** | | | |",
        ];
    }

    private static async Task<double> BaselineAsync(LibvirtLab lab, string url, string pemFile, long capacity, string volume)
    {
        var folder = Directory.CreateTempSubdirectory("mp-v2v-stock-").FullName;
        var socket = Path.Combine(folder, "nbd.sock");
        var temp = Path.Combine(folder, "disk.raw");
        var watch = Stopwatch.StartNew();
        try
        {
            using var nbdkit = Process.Start(new ProcessStartInfo("nbdkit")
            {
                ArgumentList = { "--foreground", "--readonly", "--unix", socket, "curl", $"url={url}", $"cainfo={pemFile}", $"user={VcsimLab.User}", $"password={VcsimLab.Password}" },
            })!;
            try
            {
                while (!File.Exists(socket))
                {
                    if (nbdkit.HasExited) throw new InvalidOperationException($"nbdkit exited with {nbdkit.ExitCode}");
                    await Task.Delay(5);
                }
                await Run("qemu-img", "convert", "-f", "raw", $"nbd+unix:///?socket={socket}", "-O", "raw", temp);
            }
            finally
            {
                nbdkit.Kill();
                await nbdkit.WaitForExitAsync();
            }
            // The volume is created once the download is done (as virt-v2v's -o libvirt does), so nothing on B waits on it.
            await Run("virsh", "-c", TlsUriWithPki(), "vol-create-as", Pool, volume, capacity.ToString(CultureInfo.InvariantCulture), "--format", "raw");
            await Run("virsh", "-c", TlsUriWithPki(), "vol-upload", "--sparse", "--pool", Pool, volume, temp);
            return watch.Elapsed.TotalSeconds;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>virsh reaches B over the same TLS port, with the lab's client certificate and CA (libvirt's own check of B's certificate).</summary>
    private static string TlsUriWithPki() => Environment.GetEnvironmentVariable("LIBVIRT_LAB_B_TLS_URI_PKI")
        ?? throw new InvalidOperationException("LIBVIRT_LAB_B_TLS_URI_PKI is not set: eval \"$(tests/lab/libvirt/lab.sh env)\" first.");

    private static async Task VerifyAndDeleteAsync(LibvirtLab lab, string image, string volume)
    {
        var file = Path.Combine(PoolDir, volume);
        await Run("qemu-img", "compare", "-q", "-f", "raw", "-F", "raw", image, file);
        await Run("virsh", "-c", TlsUriWithPki(), "vol-delete", "--pool", Pool, volume);
    }

    private static async Task<long> AllocatedAsync(string path) => long.Parse((await Run("du", "-B1", path)).Split('\t')[0], CultureInfo.InvariantCulture);

    private static string Pem(string variable) => File.ReadAllText(Environment.GetEnvironmentVariable(variable)
        ?? throw new InvalidOperationException($"{variable} is not set: eval \"$(tests/lab/libvirt/lab.sh env)\" first."));

    private static async Task<string> Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed ({process.ExitCode}): {errors}");
        return await stdout;
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}
