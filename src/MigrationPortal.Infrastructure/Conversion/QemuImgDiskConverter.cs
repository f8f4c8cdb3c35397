using System.ComponentModel;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MigrationPortal.Application.Abstractions;

namespace MigrationPortal.Infrastructure.Conversion;

/// <summary>
/// Converts a disk with qemu-img, streaming: the source is served to it by one NBD server over the export's reader, and it
/// writes into another NBD server that forwards to the sink, so no copy of the disk ever lands on the portal's disk.
/// qemu-img runs <c>convert -n --target-is-zero</c> without -W, so its writes arrive in ascending order and zero runs are
/// never written, which the sink turns into holes. The caller owns the sink: it calls <see cref="IDiskSink.FinishAsync"/>
/// after a conversion that returned, and disposes it (aborting the upload) after one that threw.
/// </summary>
public sealed class QemuImgDiskConverter(IOptions<ConversionOptions> options, TimeProvider time, ILogger<QemuImgDiskConverter> logger) : IDiskConverter
{
    public const string FaultType = "ConversionFailed";

    /// <summary>A unix socket's path must fit sockaddr_un's sun_path (108 bytes with its terminating NUL).</summary>
    private const int MaxSocketPathBytes = 107;

    /// <summary>How much of qemu-img's error output a failure's message keeps.</summary>
    private const int MaxErrorText = 2000;

    public async Task ConvertAsync(IRandomAccessDisk source, long capacityBytes, IDiskSink sink, Func<long, Task> onProgress, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacityBytes);
        if (capacityBytes > sink.Capacity)
        {
            throw new ArgumentException($"The disk's capacity ({capacityBytes} bytes) is larger than the sink's ({sink.Capacity} bytes).", nameof(sink));
        }
        if (sink.Position != 0)
        {
            throw new ArgumentException($"The sink is at position {sink.Position}: a conversion starts on a fresh sink.", nameof(sink));
        }
        if (source.Format == DiskImageFormat.Raw && source.Length > capacityBytes)
        {
            throw new ConnectorException(FaultType, $"The raw source disk holds {source.Length} bytes, more than the disk's capacity of {capacityBytes} bytes.");
        }
        ct.ThrowIfCancellationRequested();

        var settings = options.Value;
        var folder = CreatePrivateFolder(settings.WorkDirectory);
        try
        {
            var sourceExport = new SourceDiskExport(source);
            var sinkExport = new SinkDiskExport(sink, capacityBytes);
            await using var sourceServer = NbdServer.Start(Path.Combine(folder, "src"), sourceExport);
            await using var sinkServer = NbdServer.Start(Path.Combine(folder, "dst"), sinkExport);

            string[] arguments =
            [
                "convert",
                "-f", source.Format == DiskImageFormat.Vmdk ? "vmdk" : "raw",
                "-O", "raw",
                "-n", "--target-is-zero",
                "-m", settings.Coroutines.ToString(System.Globalization.CultureInfo.InvariantCulture),
                sourceServer.ExportUri,
                sinkServer.ExportUri,
            ];
            var started = time.GetTimestamp();
            var (exitCode, errors) = await RunAsync(settings.QemuImgPath, arguments, sourceExport, onProgress, settings.ProgressInterval, ct);
            if (exitCode != 0)
            {
                throw Failure(exitCode, errors, sourceServer.FirstFailure, sinkServer.FirstFailure);
            }
            await onProgress(sourceExport.BytesRead);
            logger.LogInformation("qemu-img converted {Capacity} bytes ({Format}, {Read} bytes read, {Data} bytes of data) in {Elapsed}",
                capacityBytes, source.Format, sourceExport.BytesRead, sinkExport.DataBytes, time.GetElapsedTime(started));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private async Task<(int ExitCode, string Errors)> RunAsync(string qemuImg, string[] arguments, SourceDiskExport sourceExport,
        Func<long, Task> onProgress, TimeSpan interval, CancellationToken ct)
    {
        var start = new ProcessStartInfo(qemuImg)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        logger.LogDebug("Running {QemuImg} {Arguments}", qemuImg, string.Join(' ', arguments));

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new ConnectorException(FaultType, $"qemu-img could not be started from '{qemuImg}': {e.Message}. Install it (Debian: qemu-utils) or set Conversion:QemuImgPath.", e);
        }
        process.StandardInput.Close();
        var errors = process.StandardError.ReadToEndAsync(CancellationToken.None);
        var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);

        using var stopProgress = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var progress = ReportProgressAsync(sourceExport, onProgress, interval, stopProgress.Token);
        try
        {
            var exited = process.WaitForExitAsync(ct);
            if (await Task.WhenAny(exited, progress) == progress)
            {
                await progress; // Only ends early when the progress callback threw: that fails the conversion.
            }
            await exited;
        }
        catch
        {
            // Cancelled, or progress could not be recorded: qemu-img must not outlive the conversion.
            Kill(process);
            await process.WaitForExitAsync(CancellationToken.None);
            throw;
        }
        finally
        {
            await stopProgress.CancelAsync();
            try
            {
                await progress;
            }
            catch
            {
                // Already reported above, or the loop's own cancellation.
            }
        }
        await output;
        return (process.ExitCode, await errors);
    }

    private async Task ReportProgressAsync(SourceDiskExport sourceExport, Func<long, Task> onProgress, TimeSpan interval, CancellationToken ct)
    {
        var reported = -1L;
        while (true)
        {
            await Task.Delay(interval, time, ct);
            var read = sourceExport.BytesRead;
            if (read != reported)
            {
                await onProgress(read);
                reported = read;
            }
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
            logger.LogWarning(e, "Could not kill qemu-img (process {Pid})", process.Id);
        }
    }

    /// <summary>
    /// Blames what failed first: the source's reader, then the sink, and qemu-img itself when neither did. A connector's
    /// own fault (an aborted export, a refused upload) keeps its type; qemu-img's error text is always in the message.
    /// </summary>
    private static ConnectorException Failure(int exitCode, string errors, NbdFailure? sourceFailure, NbdFailure? sinkFailure)
    {
        var qemuImg = Shorten(errors);
        var (what, failure) = sourceFailure is not null ? ("Reading the source disk", sourceFailure)
            : sinkFailure is not null ? ("Writing into the destination volume", sinkFailure)
            : ((string?)null, (NbdFailure?)null);
        if (failure is null)
        {
            return new ConnectorException(FaultType, $"qemu-img convert failed with exit code {exitCode}: {qemuImg}");
        }
        var faultType = failure.Exception is ConnectorException connector ? connector.FaultType : FaultType;
        return new ConnectorException(faultType,
            $"{what} failed ({failure.Request}): {failure.Exception.Message} qemu-img exited with code {exitCode}: {qemuImg}", failure.Exception);
    }

    private static string Shorten(string errors)
    {
        var text = errors.Trim();
        if (text.Length == 0)
        {
            return "(no error output)";
        }
        return text.Length <= MaxErrorText ? text : text[..MaxErrorText] + "…";
    }

    /// <summary>A 0700 folder only the portal's user can enter, so no other local user can connect to the sockets.</summary>
    private static string CreatePrivateFolder(string? workDirectory)
    {
        var root = string.IsNullOrEmpty(workDirectory) ? Path.GetTempPath() : workDirectory;
        var folder = Path.Combine(root, "mp-nbd-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));
        if (Encoding.UTF8.GetByteCount(Path.Combine(folder, "src")) > MaxSocketPathBytes)
        {
            throw new ConnectorException(FaultType, $"The work directory '{root}' is too long for a unix socket path; set a shorter Conversion:WorkDirectory.");
        }
        if (OperatingSystem.IsWindows())
        {
            throw new ConnectorException(FaultType, "Disk conversion needs qemu-img and unix sockets: run the portal on Linux to convert disks.");
        }
        Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return folder;
    }
}
