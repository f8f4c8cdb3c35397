using Microsoft.Extensions.Logging.Abstractions;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Infrastructure.Conversion;
using GuestOptions = MigrationPortal.Application.Execution.Itinerary.Conversion.ConversionOptions;

namespace MigrationPortal.Application.Tests.Conversion;

/// <summary>
/// The virt-v2v converter's process handling, with small sh scripts standing in for virt-v2v-in-place, guestfish and ssh
/// (the real tools take minutes under TCG: tests/lab/v2v/nightly.sh runs them, see <see cref="VirtV2vNightlyTests"/>).
/// </summary>
public sealed class VirtV2vGuestConverterTests : IDisposable
{
    private readonly string work = Directory.CreateTempSubdirectory("mp-v2v-").FullName;
    private readonly string pool;

    public VirtV2vGuestConverterTests()
    {
        // A space and a quote in the pool's folder prove the words reach the tool unsplit, locally and through ssh.
        pool = Path.Combine(work, "pool it's");
        Directory.CreateDirectory(pool);
        File.WriteAllText(Path.Combine(pool, "vm-disk0"), "");
    }

    public void Dispose() => Directory.Delete(work, recursive: true);

    private const string RecordingV2v = """
        printf '%s\n' "$@" > "$FAKE_DIR/v2v-args"
        printf '%s' "${LIBGUESTFS_BACKEND_SETTINGS-unset}" > "$FAKE_DIR/v2v-env"
        echo "[   0.0] Setting up the source: -i disk"
        """;

    /// <summary>Answers the converter's guestfish script from files under $FAKE_DIR/guest, as guestfish -i would from the disk.</summary>
    private const string FakeGuestfish = """
        printf '%s\n' "$@" > "$FAKE_DIR/guestfish-args"
        while IFS= read -r line; do
          case "$line" in
            "echo "*) printf '%s\n' "${line#echo }" ;;
            "-cat "*) f="$FAKE_DIR/guest${line#-cat }"; if [ -f "$f" ]; then cat "$f"; else echo "libguestfs: error: download: $f: No such file or directory" >&2; fi ;;
          esac
        done
        """;

    [Fact]
    public async Task ConvertAsync_Succeeds_WhenTheToolConvertsAndGrubBootsByUuid()
    {
        Guest("/boot/grub/grub.cfg", "menuentry 'Debian' {\n\tlinux /boot/vmlinuz root=UUID=5b1c ro quiet\n}\n");

        var result = await Converter(Options(RecordingV2v)).ConvertAsync(Plan(), [Volume()], CancellationToken.None);

        Assert.True(result.Succeeded, result.Message);
        Assert.Contains("/boot/grub/grub.cfg: 1 kernel line(s)", result.Message, StringComparison.Ordinal);
        Assert.Equal(["--verbose-for-test", "-i", "disk", "-if", "raw", Path.Combine(pool, "vm-disk0")], ReadLines("v2v-args"));
        Assert.Equal("force_tcg", File.ReadAllText(Path.Combine(work, "v2v-env"))); // from Conversion:VirtV2v:Environment only
        Assert.Equal(["--ro", "--format=raw", "-a", Path.Combine(pool, "vm-disk0"), "-i"], ReadLines("guestfish-args"));
    }

    [Fact]
    public async Task ConvertAsync_FailsNamingTheLine_WhenGrubStillBootsByDeviceName()
    {
        Guest("/boot/grub/grub.cfg", "menuentry 'Debian' {\n\tlinux /boot/vmlinuz-6.1.0-57-cloud-amd64 root=/dev/sdb1 ro quiet\n}\n");

        var result = await Converter(Options(RecordingV2v)).ConvertAsync(Plan(), [Volume()], CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Contains("/boot/grub/grub.cfg line 2 still boots by device name (/dev/sdb1)", result.Message, StringComparison.Ordinal);
        Assert.Contains("root=/dev/sdb1 ro quiet", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConvertAsync_ChecksGrub2sConfig_WhenTheGuestIsRedHatShaped()
    {
        Guest("/boot/grub2/grub.cfg", "menuentry 'RHEL' {\n\tlinux16 /vmlinuz-3.10.0 root=/dev/sda2 ro\n}\n");

        var result = await Converter(Options(RecordingV2v)).ConvertAsync(Plan(), [Volume()], CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Contains("/boot/grub2/grub.cfg line 2", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConvertAsync_SucceedsSayingNotChecked_WhenTheGuestHasNoGrubConfig()
    {
        var result = await Converter(Options(RecordingV2v)).ConvertAsync(Plan(), [Volume()], CancellationToken.None);

        Assert.True(result.Succeeded);
        Assert.Contains("no GRUB configuration found", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConvertAsync_ThrowsWithTheToolsWordsAndHost_WhenTheToolFails()
    {
        const string failing = """
            echo "[   0.0] Setting up the source: -i disk"
            echo "virt-v2v-in-place: error: inspection could not detect the source guest (or physical machine)." >&2
            exit 1
            """;

        var e = await Assert.ThrowsAsync<ConnectorException>(() => Converter(Options(failing)).ConvertAsync(Plan(), [Volume()], CancellationToken.None));

        Assert.Equal(VirtV2vGuestConverter.FaultType, e.FaultType);
        Assert.Contains($"on the portal node {Environment.MachineName} failed with exit code 1", e.Message, StringComparison.Ordinal);
        Assert.Contains("inspection could not detect the source guest", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(work, "guestfish-args"))); // nothing is checked after a failed conversion
    }

    [Fact]
    public async Task ConvertAsync_KillsTheProcessTree_WhenCancelled()
    {
        var options = Options("sleep 300 &\necho $! > \"$FAKE_DIR/child\"\necho $$ > \"$FAKE_DIR/self\"\nwait\n");
        using var cancel = new CancellationTokenSource();

        var conversion = Converter(options).ConvertAsync(Plan(), [Volume()], cancel.Token);
        var pids = await WaitForPidsAsync("self", "child");
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => conversion);
        await AssertGoneAsync(pids);
    }

    [Fact]
    public async Task ConvertAsync_ThrowsTimedOutAndKills_WhenTheToolOutlivesTheTimeout()
    {
        var options = Options("echo \"still inspecting\" >&2\nsleep 300 &\necho $! > \"$FAKE_DIR/child\"\nwait\n");
        options.VirtV2v.Timeout = TimeSpan.FromSeconds(2);

        var e = await Assert.ThrowsAsync<ConnectorException>(() => Converter(options).ConvertAsync(Plan(), [Volume()], CancellationToken.None));

        Assert.Equal(VirtV2vGuestConverter.TimeoutFaultType, e.FaultType);
        Assert.Contains("did not finish within 00:00:02 (Conversion:VirtV2v:Timeout)", e.Message, StringComparison.Ordinal);
        Assert.Contains("still inspecting", e.Message, StringComparison.Ordinal);
        await AssertGoneAsync([int.Parse(File.ReadAllText(Path.Combine(work, "child")).Trim(), System.Globalization.CultureInfo.InvariantCulture)]);
    }

    [Fact]
    public async Task ConvertAsync_RunsOnTheSshHost_WhenSshHostIsSet()
    {
        Guest("/boot/grub/grub.cfg", "menuentry 'Debian' {\n\tlinux /boot/vmlinuz root=UUID=5b1c ro\n}\n");
        var options = Options(RecordingV2v);
        options.VirtV2v.SshHost = "root@kvm-conv1";
        options.VirtV2v.SshCommand = Script("ssh", $$"""
            while [ "$1" != "--" ]; do shift; done; shift
            echo "$1" >> {{VirtV2vGuestConverter.Quote(Path.Combine(work, "ssh-hosts"))}}; shift
            exec sh -c "$*"
            """);

        var result = await Converter(options).ConvertAsync(Plan(), [Volume()], CancellationToken.None);

        Assert.True(result.Succeeded, result.Message);
        Assert.Contains("on conversion host root@kvm-conv1", result.Message, StringComparison.Ordinal);
        Assert.Equal(["root@kvm-conv1", "root@kvm-conv1"], ReadLines("ssh-hosts")); // converted, then checked, both there
        Assert.Equal(Path.Combine(pool, "vm-disk0"), ReadLines("v2v-args")[^1]);
    }

    [Fact]
    public async Task ConvertAsync_EndsTheRemoteTool_WhenCancelledOverSsh()
    {
        // This ssh leaves the "remote" shell outside the portal's process tree (as a real remote host is): only the
        // wrapper's watcher, which ends the tool when the connection's stdin closes, can stop it.
        var options = Options("echo $$ > \"$FAKE_DIR/self\"\nexec sleep 300\n");
        options.VirtV2v.SshHost = "kvm-conv1";
        options.VirtV2v.SshCommand = Script("ssh", """
            while [ "$1" != "--" ]; do shift; done; shift 2
            setsid -f sh -c "$*"
            exec sleep 300
            """);
        using var cancel = new CancellationTokenSource();

        var conversion = Converter(options).ConvertAsync(Plan(), [Volume()], cancel.Token);
        var pids = await WaitForPidsAsync("self");
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => conversion);
        await AssertGoneAsync(pids);
    }

    [Fact]
    public async Task ConvertAsync_NamesTheSetting_WhenThePoolHasNoPath()
    {
        var volume = new VolumeRef("kvm1", "fast-ssd", "vm-disk0", ConvertedDiskFormat.Raw);

        var e = await Assert.ThrowsAsync<ConnectorException>(() => Converter(Options(RecordingV2v)).ConvertAsync(Plan(), [volume], CancellationToken.None));

        Assert.Equal(VirtV2vGuestConverter.NotConfiguredFaultType, e.FaultType);
        Assert.Contains("Conversion:VirtV2v:PoolPaths:fast-ssd", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(work, "v2v-args")));
    }

    [Fact]
    public void WrapperScript_Refuses_WhenAnEnvironmentNameIsNotOne()
    {
        var e = Assert.Throws<ConnectorException>(() =>
            VirtV2vGuestConverter.WrapperScript(new Dictionary<string, string> { ["BAD NAME"] = "x" }, ["true"], null));

        Assert.Contains("'BAD NAME' in Conversion:VirtV2v:Environment", e.Message, StringComparison.Ordinal);
    }

    private VirtV2vGuestConverter Converter(GuestOptions options) =>
        new(Microsoft.Extensions.Options.Options.Create(options), TimeProvider.System, NullLogger<VirtV2vGuestConverter>.Instance);

    private GuestOptions Options(string v2vBody) => new()
    {
        VirtV2v =
        {
            Enabled = true,
            Command = Script("virt-v2v-in-place", v2vBody),
            ExtraArguments = ["--verbose-for-test"],
            GuestfishCommand = Script("guestfish", FakeGuestfish),
            Environment = new() { ["FAKE_DIR"] = work, ["LIBGUESTFS_BACKEND_SETTINGS"] = "force_tcg" },
            PoolPaths = new() { ["default"] = pool },
            Timeout = TimeSpan.FromMinutes(1),
        },
    };

    private string Script(string name, string body)
    {
        var path = Path.Combine(work, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body.ReplaceLineEndings("\n") + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return path;
    }

    private void Guest(string file, string content)
    {
        var path = Path.Combine(work, "guest" + file);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    private string[] ReadLines(string file) => File.ReadAllLines(Path.Combine(work, file));

    private static VolumeRef Volume() => new("kvm1", "default", "vm-disk0", ConvertedDiskFormat.Raw);

    private static MigrationPlan Plan() => new(Guid.NewGuid(),
        new ConnectionInfo(Guid.NewGuid(), "vc", "vsphere", "https://vc", null, null, null, false),
        new ConnectionInfo(Guid.NewGuid(), "kvm", "libvirt", "qemu+tls://kvm1/system", null, null, null, false),
        "vm-42", "app01", MigrationKind.CrossPlatform, false, "esx1", "datastore1",
        new MigrationTarget(Guid.NewGuid(), "kvm1", "kvm1", null, null, null), new MigrationOptions(), null);

    private async Task<List<int>> WaitForPidsAsync(params string[] files)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(20);
        while (DateTimeOffset.UtcNow < deadline)
        {
            var paths = files.Select(f => Path.Combine(work, f)).ToList();
            if (paths.All(p => File.Exists(p) && File.ReadAllText(p).EndsWith('\n')))
            {
                return paths.Select(p => int.Parse(File.ReadAllText(p).Trim(), System.Globalization.CultureInfo.InvariantCulture)).ToList();
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"The fake tool did not write {string.Join(", ", files)}.");
    }

    /// <summary>Waits for each process to be gone (a zombie waiting for init to reap it counts as gone).</summary>
    private static async Task AssertGoneAsync(IReadOnlyList<int> pids)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(10);
        while (pids.Any(Alive) && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        Assert.All(pids, pid => Assert.False(Alive(pid), $"process {pid} is still running"));
    }

    private static bool Alive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }
}
