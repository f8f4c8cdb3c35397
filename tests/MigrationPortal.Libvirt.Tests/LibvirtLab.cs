using System.Diagnostics;
using System.Text.RegularExpressions;

namespace MigrationPortal.Libvirt.Tests;

/// <summary>
/// The two-host lab of tests/lab/libvirt, as its `lab.sh env` exports describe it. A missing lab is a failure, never a
/// skip: scripts/test.sh starts it (tests/lab/libvirt/ci-setup.sh). Between tests <see cref="ResetAsync"/> puts the
/// guest back on host A, running, with its disk in pool "images", and clears what earlier tests left on the hosts.
/// </summary>
public sealed partial class LibvirtLab
{
    public const string ImagesPath = "/var/lib/libvirt/images";
    public const string FastPath = "/var/lib/libvirt/fast";

    private LibvirtLab()
    {
    }

    public string AUri { get; private init; } = "";
    public string BUri { get; private init; } = "";
    /// <summary>qemu+tls:// URIs of the hosts, reachable from the tests' namespace through the lab's TLS port forward.</summary>
    public string ATlsUri { get; private init; } = "";
    public string BTlsUri { get; private init; } = "";
    public string Guest { get; private init; } = "";
    public string GuestUuid { get; private init; } = "";
    public string GuestDisk => $"{ImagesPath}/{Guest}.qcow2";
    public string SerialLog { get; private init; } = "";
    public string Marker { get; private init; } = "";
    public string Script { get; private init; } = "";
    public string LabDir { get; private init; } = "";
    public string AImagesDir { get; private init; } = "";
    public string AFastDir { get; private init; } = "";
    public string BImagesDir { get; private init; } = "";
    public string BFastDir { get; private init; } = "";
    public string? BNetns { get; private init; }
    public bool Netns { get; private init; }

    /// <summary>Host A's own CA file: the CA its libvirtd trusts when it connects to B for a peer-to-peer migration.</summary>
    public string ACaFile => Path.Combine(LabDir, "hosts/a/pki/CA/cacert.pem");

    private static LibvirtLab? _instance;

    public static LibvirtLab Current => _instance ??= Load();

    private static LibvirtLab Load()
    {
        string Need(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value
            : throw new InvalidOperationException($"{name} is not set: the libvirt lab is not running. Start it with tests/lab/libvirt/lab.sh up --netns and "
                + "eval \"$(tests/lab/libvirt/lab.sh env)\", or run the tests through scripts/test.sh (tests/lab/libvirt/ci-setup.sh does both).");
        var lab = new LibvirtLab
        {
            AUri = Need("LIBVIRT_LAB_A_URI"),
            BUri = Need("LIBVIRT_LAB_B_URI"),
            ATlsUri = Need("LIBVIRT_LAB_A_TLS_URI"),
            BTlsUri = Need("LIBVIRT_LAB_B_TLS_URI"),
            Guest = Need("LIBVIRT_LAB_GUEST"),
            GuestUuid = Need("LIBVIRT_LAB_GUEST_UUID"),
            SerialLog = Need("LIBVIRT_LAB_SERIAL_LOG"),
            Marker = Need("LIBVIRT_LAB_MARKER"),
            Script = Need("LIBVIRT_LAB_SCRIPT"),
            LabDir = Need("LIBVIRT_LAB_DIR"),
            AImagesDir = Need("LIBVIRT_LAB_A_IMAGES_DIR"),
            AFastDir = Need("LIBVIRT_LAB_A_FAST_DIR"),
            BImagesDir = Need("LIBVIRT_LAB_B_IMAGES_DIR"),
            BFastDir = Need("LIBVIRT_LAB_B_FAST_DIR"),
            BNetns = Environment.GetEnvironmentVariable("LIBVIRT_LAB_B_NETNS"),
            Netns = Environment.GetEnvironmentVariable("LIBVIRT_LAB_NETNS") == "1",
        };
        if (Need("LIBVIRT_LAB_STORAGE") != "local") throw new InvalidOperationException("The libvirt tests need the lab with --storage local (a disk in pool images).");
        if (!lab.Netns) throw new InvalidOperationException("The libvirt tests need the lab with --netns (the link-cut and capture tests act on its veth).");
        return lab;
    }

    /// <summary>A CA certificate that signed nothing in the lab: trusting only it must make every TLS handshake fail.</summary>
    public static string ForeignCaPem()
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=Some other CA", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension(true, false, 0, true));
        using var ca = request.CreateSelfSigned(TimeProvider.System.GetUtcNow().AddDays(-1), TimeProvider.System.GetUtcNow().AddDays(30));
        return ca.ExportCertificatePem();
    }

    public Task<string> VirshAsync(string uri, params string[] args) => RunAsync("virsh", ["-c", uri, .. args]);

    public Task<string> LabAsync(params string[] args) => RunAsync(Script, args);

    public static async Task<string> RunAsync(string file, IEnumerable<string> args, TimeSpan? timeout = null, bool check = true)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(cts.Token);
        if (check && process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', start.ArgumentList)} exited {process.ExitCode}: {await stderr}{await stdout}");
        return await stdout + await stderr;
    }

    /// <summary>Where the guest runs: "a", "b" or null.</summary>
    public async Task<string?> RunningOnAsync()
    {
        if ((await RunAsync("virsh", ["-c", AUri, "list", "--name", "--state-running"])).Contains(Guest)) return "a";
        if ((await RunAsync("virsh", ["-c", BUri, "list", "--name", "--state-running"])).Contains(Guest)) return "b";
        return null;
    }

    /// <summary>Whether the guest has a persistent definition on the host (a running transient domain is listed but is not).</summary>
    public async Task<bool> PersistentOnAsync(string uri) => (await VirshAsync(uri, "dominfo", Guest)).Split('\n').Any(l => l.StartsWith("Persistent:") && l.Trim().EndsWith("yes"));

    public async Task<bool> DefinedOnAsync(string uri) => (await VirshAsync(uri, "list", "--all", "--name")).Split('\n').Any(l => l.Trim() == Guest);

    public async Task<string> DiskPathAsync(string uri, bool inactive = false)
    {
        var xml = await VirshAsync(uri, inactive ? ["dumpxml", "--inactive", Guest] : ["dumpxml", Guest]);
        return DiskSource().Match(xml).Groups[1].Value;
    }

    /// <summary>Puts the guest back on A, running, disk in pool images; removes copies and leftovers on both hosts.</summary>
    public async Task ResetAsync()
    {
        await LabAsync("unthrottle");
        await LabAsync("restore-link");
        RestoreCa();
        var where = await RunningOnAsync() ?? throw new InvalidOperationException("The lab guest runs nowhere; restart the lab (lab.sh up --netns).");
        await WaitNoJobAsync(where == "a" ? AUri : BUri);
        if (where == "b")
        {
            if (await DiskPathAsync(BUri) != GuestDisk) await BlockCopyAsync(BUri, GuestDisk);
            DeleteFiles(AImagesDir, AFastDir);
            await RefreshPoolsAsync(AUri);
            await VirshAsync(BUri, "migrate", "--live", "--p2p", "--tls", "--persistent", "--undefinesource", "--copy-storage-all", Guest, "qemu+tls://lab-a/system");
        }
        else if (await DiskPathAsync(AUri) != GuestDisk)
        {
            DeleteFiles(AImagesDir);
            await RefreshPoolsAsync(AUri);
            await BlockCopyAsync(AUri, GuestDisk);
        }

        if (await DefinedOnAsync(BUri)) await VirshAsync(BUri, "undefine", Guest);
        DeleteFiles(BImagesDir, BFastDir);
        foreach (var file in Directory.GetFiles(AImagesDir).Concat(Directory.GetFiles(AFastDir)).Where(f => Path.GetFileName(f) != $"{Guest}.qcow2" || f.StartsWith(AFastDir)))
            File.Delete(file);
        await RefreshPoolsAsync(AUri);
        await RefreshPoolsAsync(BUri);
        var counter = LastCounter();
        await WaitUntilAsync(() => Task.FromResult(LastCounter() > counter), TimeSpan.FromSeconds(20), "the guest's counter to advance after the reset");
    }

    private async Task BlockCopyAsync(string uri, string destination) =>
        await VirshAsync(uri, "blockcopy", Guest, "vda", destination, "--format", "qcow2", "--wait", "--pivot", "--transient-job");

    private async Task WaitNoJobAsync(string uri)
    {
        for (var i = 0; i < 60; i++)
        {
            var info = await VirshAsync(uri, "domjobinfo", Guest);
            if (info.Contains("None")) return;
            await Task.Delay(500);
        }
    }

    private async Task RefreshPoolsAsync(string uri)
    {
        await VirshAsync(uri, "pool-refresh", "images");
        await VirshAsync(uri, "pool-refresh", "fast");
    }

    private void DeleteFiles(params string[] dirs)
    {
        foreach (var dir in dirs)
        foreach (var file in Directory.GetFiles(dir))
            File.Delete(file);
    }

    // --- the guest's serial console ------------------------------------------------------------------------------

    public sealed record Counter(int Value, string Boot);

    /// <summary>The counter lines from serial-log line <paramref name="fromLine"/> on (the log spans every boot since the lab started).</summary>
    public IReadOnlyList<Counter> Counters(int fromLine = 0) => ReadSerial().Skip(fromLine).Select(l => CounterLine().Match(l)).Where(m => m.Success)
        .Select(m => new Counter(int.Parse(m.Groups[1].Value), m.Groups[2].Value)).ToList();

    public int LastCounter() => Counters().LastOrDefault()?.Value ?? -1;

    public int SerialLineCount() => ReadSerial().Length;

    public IEnumerable<string> SerialLinesAfter(int line) => ReadSerial().Skip(line);

    private string[] ReadSerial()
    {
        using var stream = new FileStream(SerialLog, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        // The lab's own log lines may share a line with the guest's output; split on the markers' own words too.
        return reader.ReadToEnd().Replace("MP-", "\nMP-").Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    // --- faults ------------------------------------------------------------------------------------------------

    private string CaBackup => ACaFile + ".mp-test-backup";

    /// <summary>Makes host A distrust B's certificate: A's libvirtd reads its CA file for every new client connection.</summary>
    public void ReplaceCaOfA(string foreignCaPem)
    {
        if (!File.Exists(CaBackup)) File.Copy(ACaFile, CaBackup);
        File.WriteAllText(ACaFile, foreignCaPem);
    }

    /// <summary>Takes away host A's own CA file, as on a host whose client PKI was never installed.</summary>
    public void RemoveCaOfA()
    {
        if (!File.Exists(CaBackup)) File.Copy(ACaFile, CaBackup);
        File.Delete(ACaFile);
    }

    public void RestoreCa()
    {
        if (!File.Exists(CaBackup)) return;
        File.Copy(CaBackup, ACaFile, overwrite: true);
        File.Delete(CaBackup);
    }

    /// <summary>Waits on the lab's state (see <see cref="Eventually"/>; the limit is real time, as the lab's daemons and guest run on it).</summary>
    public static Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what) =>
        Eventually.TrueAsync(condition, timeout, what, TimeSpan.FromMilliseconds(200));

    [GeneratedRegex(@"<disk type='file' device='disk'>\s*<driver[^>]*>\s*<source file='([^']+)'")]
    private static partial Regex DiskSource();

    [GeneratedRegex(@"^MP-COUNTER (\d+) boot=(\S+)")]
    private static partial Regex CounterLine();
}
