using System.Diagnostics;
using Microsoft.Win32.SafeHandles;
using MigrationPortal.Application.Abstractions;

namespace MigrationPortal.Application.Tests.Conversion;

/// <summary>A source disk read from a file, which can be made to fail or to hang once a number of bytes were served.</summary>
internal sealed class FileDisk(string path, DiskImageFormat format) : IRandomAccessDisk
{
    private readonly SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.Asynchronous);
    private long served;

    public long Length { get; } = new FileInfo(path).Length;

    public DiskImageFormat Format { get; } = format;

    public long BytesServed => Interlocked.Read(ref served);

    /// <summary>Reads fail with this once <see cref="FailAfterBytes"/> were served.</summary>
    public Exception? Failure { get; init; }

    public long FailAfterBytes { get; init; } = long.MaxValue;

    /// <summary>Reads block (until cancelled) once this many bytes were served.</summary>
    public long HangAfterBytes { get; init; } = long.MaxValue;

    public TaskCompletionSource Hanging { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken ct)
    {
        if (Failure is not null && BytesServed >= FailAfterBytes)
        {
            throw Failure;
        }
        if (BytesServed >= HangAfterBytes)
        {
            Hanging.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
        }
        var read = await RandomAccess.ReadAsync(handle, buffer, offset, ct);
        Interlocked.Add(ref served, read);
        return read;
    }

    public ValueTask DisposeAsync()
    {
        handle.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// A sink like the sparse libvirt upload: data is written to a file at the position, a hole only moves the position (the
/// file stays sparse there), and it refuses to go backwards.
/// </summary>
internal sealed class SparseFileSink(string path, long capacity) : IDiskSink
{
    private readonly SafeFileHandle handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read, FileOptions.Asynchronous);

    public long Capacity { get; } = capacity;

    public long Position { get; private set; }

    public long DataBytes { get; private set; }

    public long HoleBytes { get; private set; }

    public int Holes { get; private set; }

    public bool Finished { get; private set; }

    public async Task WriteAsync(ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        if (Position + data.Length > Capacity)
        {
            throw new InvalidOperationException($"write past the capacity at {Position}");
        }
        await RandomAccess.WriteAsync(handle, data, Position, ct);
        Position += data.Length;
        DataBytes += data.Length;
    }

    public Task SkipAsync(long length, CancellationToken ct)
    {
        if (length <= 0 || Position + length > Capacity)
        {
            throw new InvalidOperationException($"bad hole of {length} at {Position}");
        }
        Position += length;
        HoleBytes += length;
        Holes++;
        return Task.CompletedTask;
    }

    public Task FinishAsync(CancellationToken ct)
    {
        if (Position < Capacity)
        {
            HoleBytes += Capacity - Position;
            Position = Capacity;
        }
        RandomAccess.SetLength(handle, Capacity);
        Finished = true;
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        handle.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>Builds fixture images and runs qemu-img the way a person would check a conversion by hand.</summary>
internal static class DiskImages
{
    public const long MiB = 1024 * 1024;

    /// <summary>
    /// A sparse raw image of <paramref name="capacity"/> bytes holding <paramref name="dataBytes"/> of random data in 2 MiB
    /// runs spread over the disk (some at odd offsets, one touching the end), zeros between.
    /// </summary>
    public static void WriteScatteredRaw(string path, long capacity, long dataBytes, int seed = 12)
    {
        const int run = (int)(2 * MiB);
        var runs = (int)(dataBytes / run);
        var slot = capacity / runs;
        var random = new Random(seed);
        var buffer = new byte[run];
        using var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write);
        RandomAccess.SetLength(handle, capacity);
        for (var i = 0; i < runs; i++)
        {
            random.NextBytes(buffer);
            var offset = i == runs - 1 ? capacity - run : i * slot + random.NextInt64(0, slot - run) / 4096 * 4096 + (i % 5 == 0 ? 511 : 0);
            RandomAccess.Write(handle, buffer, offset);
        }
    }

    public static void Run(string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo("qemu-img", arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var errors = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"qemu-img {arguments} failed ({process.ExitCode}): {errors}");
        }
    }

    /// <summary>qemu-img compare's exit code: 0 identical, 1 different.</summary>
    public static int Compare(string first, string second)
    {
        using var process = Process.Start(new ProcessStartInfo("qemu-img") { ArgumentList = { "compare", "-q", "-f", "raw", "-F", "raw", first, second } })!;
        process.WaitForExit();
        return process.ExitCode;
    }

    /// <summary>The IDs of running processes whose command line mentions <paramref name="text"/> (a test's own work folder).</summary>
    public static IReadOnlyList<int> ProcessesMentioning(string text)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }
            try
            {
                var commandLine = File.ReadAllText(Path.Combine(dir, "cmdline"));
                var status = File.ReadAllText(Path.Combine(dir, "stat"));
                if (commandLine.Contains(text, StringComparison.Ordinal) && !status.Contains(") Z ", StringComparison.Ordinal))
                {
                    found.Add(pid);
                }
            }
            catch (IOException)
            {
                // It exited while being read.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return found;
    }
}
