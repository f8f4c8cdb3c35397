using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Requests;
using GuestOptions = MigrationPortal.Application.Execution.Itinerary.Conversion.ConversionOptions;
using VirtV2vOptions = MigrationPortal.Application.Execution.Itinerary.Conversion.VirtV2vOptions;

namespace MigrationPortal.Infrastructure.Conversion;

/// <summary>
/// Converts a copied guest in place with virt-v2v-in-place (<c>-i disk</c> on the destination volumes' files), on the
/// portal's node or, with Conversion:VirtV2v:SshHost, on a conversion host over ssh; then reads the guest's grub.cfg back
/// with guestfish and fails the result when a kernel line still boots by /dev/sd*, /dev/hd* or /dev/xvd* (<see cref="GrubBootCheck"/>).
/// Both tools run inside a small sh wrapper that ends the tool when the portal's end of stdin closes, so a cancel or a
/// timeout that kills the local process tree (or the ssh client) also ends the tool on a remote host.
/// </summary>
public sealed partial class VirtV2vGuestConverter(IOptions<GuestOptions> options, TimeProvider time, ILogger<VirtV2vGuestConverter> logger) : IGuestConverter
{
    public const string FaultType = "GuestConversionFailed";
    public const string TimeoutFaultType = "GuestConversionTimedOut";
    public const string NotConfiguredFaultType = "NotConfigured";

    /// <summary>Where GRUB 2 (Debian, then Red Hat) and GRUB legacy keep the configuration the boot reads.</summary>
    public static readonly IReadOnlyList<string> GrubConfigPaths = ["/boot/grub/grub.cfg", "/boot/grub2/grub.cfg", "/boot/grub/menu.lst"];

    /// <summary>Printed by guestfish before each file, so the output says which file each line came from.</summary>
    private const string FileMarker = "==migrationportal-grub-file== ";

    /// <summary>How much of a tool's error output a failure's message keeps (its end, where the tool says what went wrong).</summary>
    private const int MaxErrorText = 2000;

    public async Task<GuestConversionResult> ConvertAsync(MigrationPlan plan, IReadOnlyList<VolumeRef> volumes, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (volumes.Count == 0)
        {
            throw new ArgumentException("A guest conversion needs at least one volume.", nameof(volumes));
        }
        var settings = options.Value.VirtV2v;
        var where = Where(settings);
        var formats = volumes.Select(v => v.Format).Distinct().ToList();
        if (formats.Count != 1)
        {
            // virt-v2v's -i disk takes one -if for all its disks.
            throw new ConnectorException(FaultType, $"The volumes of VM '{plan.VmName}' are of mixed formats ({string.Join(", ", formats)}); virt-v2v -i disk needs one.");
        }
        var format = formats[0] == ConvertedDiskFormat.Qcow2 ? "qcow2" : "raw";
        var paths = volumes.Select(v => PathOf(v, settings)).ToList();

        var started = time.GetTimestamp();
        List<string> convert = [settings.Command, .. settings.ExtraArguments, "-i", "disk", "-if", format, .. paths];
        var conversion = await RunAsync(settings, convert, input: null, "convert", where, ct);
        if (conversion.ExitCode != 0)
        {
            throw new ConnectorException(FaultType,
                $"{settings.Command} on {where} failed with exit code {conversion.ExitCode} on {string.Join(", ", paths)}: {Tail(conversion.Errors)}");
        }
        var converted = time.GetElapsedTime(started);
        logger.LogInformation("{Command} converted VM {Vm} on {Where} in {Elapsed}", settings.Command, plan.VmName, where, converted);

        var check = await ReadGrubConfigsAsync(settings, format, paths, where, ct);
        var tookText = $"{converted.TotalSeconds:0} s";
        if (check.Count == 0)
        {
            return new GuestConversionResult(true,
                $"Converted by {settings.Command} on {where} in {tookText}; no GRUB configuration found ({string.Join(", ", GrubConfigPaths)}), so the boot configuration was not checked: the first boot decides.");
        }
        foreach (var (file, verdict) in check)
        {
            if (!verdict.Bootable)
            {
                var first = verdict.Offences[0];
                return new GuestConversionResult(false,
                    $"{settings.Command} on {where} ran in {tookText}, but {file} line {first.LineNumber} still boots by device name ({first.Device}): '{first.Line}'. " +
                    $"On KVM the disk is /dev/vd*, so the guest would not find its root ({verdict.Offences.Count} such kernel line(s)). " +
                    "Make the guest's GRUB boot by UUID (remove GRUB_DISABLE_LINUX_UUID=true from /etc/default/grub and run update-grub) before migrating it.");
            }
        }
        var lines = check.Sum(c => c.Verdict.KernelLines);
        return new GuestConversionResult(true,
            $"Converted by {settings.Command} on {where} in {tookText}; {string.Join(", ", check.Select(c => c.File))}: {lines} kernel line(s), none boots by /dev/sd*, /dev/hd* or /dev/xvd*.");
    }

    /// <summary>Reads every GRUB configuration the guest has in one guestfish run (one appliance boot); a missing one is skipped.</summary>
    private async Task<List<(string File, GrubBootCheck.Verdict Verdict)>> ReadGrubConfigsAsync(VirtV2vOptions settings, string format, List<string> paths, string where, CancellationToken ct)
    {
        List<string> guestfish = [settings.GuestfishCommand, "--ro", $"--format={format}"];
        foreach (var path in paths)
        {
            guestfish.Add("-a");
            guestfish.Add(path);
        }
        guestfish.Add("-i");
        var script = new StringBuilder();
        foreach (var file in GrubConfigPaths)
        {
            // "-" lets a command fail (the file is not there) without ending the script.
            script.Append("echo ").Append(FileMarker).Append(file).Append('\n');
            script.Append("-cat ").Append(file).Append('\n');
        }
        var read = await RunAsync(settings, guestfish, script.ToString(), "check", where, ct);
        if (read.ExitCode != 0)
        {
            throw new ConnectorException(FaultType,
                $"The guest was converted, but {settings.GuestfishCommand} on {where} could not read its boot configuration back (exit code {read.ExitCode}): {Tail(read.Errors)}");
        }
        return SplitFiles(read.Output)
            .Where(f => f.Content.Trim().Length > 0)
            .Select(f => (f.File, GrubBootCheck.Check(f.Content)))
            .ToList();
    }

    private static IEnumerable<(string File, string Content)> SplitFiles(string output)
    {
        string? file = null;
        var content = new StringBuilder();
        foreach (var line in output.Split('\n'))
        {
            if (line.StartsWith(FileMarker, StringComparison.Ordinal))
            {
                if (file is not null)
                {
                    yield return (file, content.ToString());
                }
                file = line[FileMarker.Length..].Trim();
                content.Clear();
            }
            else if (file is not null)
            {
                content.Append(line).Append('\n');
            }
        }
        if (file is not null)
        {
            yield return (file, content.ToString());
        }
    }

    private sealed record ToolRun(int ExitCode, string Output, string Errors);

    private async Task<ToolRun> RunAsync(VirtV2vOptions settings, IReadOnlyList<string> command, string? input, string what, string where, CancellationToken ct)
    {
        var script = WrapperScript(settings.Environment, command, input);
        var start = string.IsNullOrWhiteSpace(settings.SshHost)
            ? new ProcessStartInfo("sh") { ArgumentList = { "-c", script } }
            : new ProcessStartInfo(settings.SshCommand) { ArgumentList = { "-o", "BatchMode=yes", "--", settings.SshHost.Trim(), "sh -c " + Quote(script) } };
        start.UseShellExecute = false;
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        logger.LogDebug("Running {Command} on {Where}", string.Join(' ', command), where);

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new ConnectorException(NotConfiguredFaultType, $"Could not start '{start.FileName}' to {what} the guest on {where}: {e.Message}.", e);
        }
        // stdin stays open while the tool runs: the wrapper ends the tool when it closes (the process or ssh died).
        var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var errors = process.StandardError.ReadToEndAsync(CancellationToken.None);

        using var timeout = new CancellationTokenSource(settings.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        try
        {
            await process.WaitForExitAsync(linked.Token);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            CloseInput(process); // what ends the tool on a remote host, where the kill cannot reach
            await process.WaitForExitAsync(CancellationToken.None);
            var stderr = await errors;
            if (!ct.IsCancellationRequested)
            {
                throw new ConnectorException(TimeoutFaultType,
                    $"{command[0]} on {where} did not finish within {settings.Timeout} (Conversion:VirtV2v:Timeout) and was killed: {Tail(stderr)}");
            }
            throw;
        }
        finally
        {
            CloseInput(process);
        }
        return new ToolRun(process.ExitCode, await output, await errors);
    }

    /// <summary>
    /// The POSIX sh script that runs one tool: its environment through env, its input as a here-document, and a watcher on
    /// the script's own stdin that sends the tool SIGTERM when that stdin closes. A non-interactive sh gives background
    /// jobs /dev/null as stdin, so the watcher reads a copy saved on fd 3.
    /// </summary>
    public static string WrapperScript(IReadOnlyDictionary<string, string> environment, IReadOnlyList<string> command, string? input)
    {
        foreach (var name in environment.Keys)
        {
            if (!EnvironmentName().IsMatch(name))
            {
                throw new ConnectorException(NotConfiguredFaultType, $"'{name}' in Conversion:VirtV2v:Environment is not an environment variable name.");
            }
        }
        var script = new StringBuilder("exec 3<&0\n");
        script.Append("env");
        foreach (var (name, value) in environment.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            script.Append(' ').Append(Quote($"{name}={value}"));
        }
        foreach (var word in command)
        {
            script.Append(' ').Append(Quote(word));
        }
        string? delimiter = null;
        if (input is not null)
        {
            delimiter = "MIGRATIONPORTAL_INPUT_" + Guid.NewGuid().ToString("N");
            script.Append(" <<'").Append(delimiter).Append('\'');
        }
        script.Append(" &\n");
        if (delimiter is not null)
        {
            script.Append(input).Append(input!.EndsWith('\n') ? "" : "\n").Append(delimiter).Append('\n');
        }
        script.Append("tool=$!\n");
        script.Append("( read -r _ <&3; kill -TERM \"$tool\" 2>/dev/null ) &\n");
        script.Append("watcher=$!\n");
        script.Append("wait \"$tool\"\n");
        script.Append("status=$?\n");
        script.Append("kill \"$watcher\" 2>/dev/null\n");
        script.Append("exit \"$status\"\n");
        return script.ToString();
    }

    /// <summary>One sh word: single quotes, each ' written as '\''.</summary>
    public static string Quote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static string PathOf(VolumeRef volume, VirtV2vOptions settings)
    {
        if (!settings.PoolPaths.TryGetValue(volume.Pool, out var folder) || string.IsNullOrWhiteSpace(folder))
        {
            throw new ConnectorException(NotConfiguredFaultType,
                $"Volume '{volume.Name}' is in pool '{volume.Pool}' on {volume.HostId}, whose folder on the conversion host is not configured: set Conversion:VirtV2v:PoolPaths:{volume.Pool}.");
        }
        if (volume.Name.Contains('/', StringComparison.Ordinal) || volume.Name is "." or "..")
        {
            throw new ConnectorException(FaultType, $"Volume name '{volume.Name}' is not a file name in pool '{volume.Pool}'.");
        }
        return folder.TrimEnd('/') + "/" + volume.Name;
    }

    private static string Where(VirtV2vOptions settings) => string.IsNullOrWhiteSpace(settings.SshHost)
        ? $"the portal node {System.Environment.MachineName}"
        : $"conversion host {settings.SshHost.Trim()}";

    private static void CloseInput(Process process)
    {
        try
        {
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The pipe is already broken: the other end is gone, which is all closing it means to say.
        }
    }

    private void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited meanwhile.
        }
        catch (Win32Exception e)
        {
            logger.LogWarning(e, "Could not kill the guest conversion (process {Pid})", process.Id);
        }
    }

    private static string Tail(string errors)
    {
        var text = errors.Trim();
        if (text.Length == 0)
        {
            return "(no error output)";
        }
        return text.Length <= MaxErrorText ? text : "…" + text[^MaxErrorText..];
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvironmentName();
}
