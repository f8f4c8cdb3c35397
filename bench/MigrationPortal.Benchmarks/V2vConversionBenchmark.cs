using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Win32.SafeHandles;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Infrastructure.Conversion;

namespace MigrationPortal.Benchmarks;

/// <summary>
/// VMware to KVM, the conversion stage: the portal's <see cref="QemuImgDiskConverter"/> (its two NBD servers around
/// qemu-img, a file-backed source and a sparse-file sink standing in for the HTTPS export and the libvirt upload) against
/// the stock pipeline's same stage, run alternately on the same fixture: <c>nbdkit --filter=noextents file</c> (no
/// extents, like <c>nbdkit curl</c>) feeding <c>qemu-img convert</c> into a sparse file. The export download and the
/// libvirt upload are not in this stage (see bench/v2v.sh).
/// Usage: v2v [rounds=3] [fixtures=1024:200,4096:1024] [m=8] [format=raw|vmdk]
/// </summary>
public static class V2vConversionBenchmark
{
    private const long MiB = 1024 * 1024;

    public static async Task RunAsync(string[] args)
    {
        var rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3;
        var fixtures = (args.Length > 1 ? args[1] : "1024:200,4096:1024").Split(',')
            .Select(f => f.Split(':')).Select(p => (Virtual: long.Parse(p[0], CultureInfo.InvariantCulture), Data: long.Parse(p[1], CultureInfo.InvariantCulture))).ToList();
        var coroutines = (args.Length > 2 ? args[2] : "8").Split(',').Select(m => int.Parse(m, CultureInfo.InvariantCulture)).ToList();
        var format = args.Length > 3 && args[3] == "vmdk" ? DiskImageFormat.Vmdk : DiskImageFormat.Raw;
        var folder = Directory.CreateTempSubdirectory("mp-v2v-bench-").FullName;
        try
        {
            Console.WriteLine($"| fixture | source | run | seconds (median of {rounds}) | MiB/s of capacity | data MiB written |");
            Console.WriteLine("| --- | --- | --- | ---: | ---: | ---: |");
            foreach (var (virtualMiB, dataMiB) in fixtures)
            {
                var raw = Path.Combine(folder, $"disk-{virtualMiB}.raw");
                WriteScatteredRaw(raw, virtualMiB * MiB, dataMiB * MiB);
                var source = raw;
                if (format == DiskImageFormat.Vmdk)
                {
                    source = Path.Combine(folder, $"disk-{virtualMiB}.vmdk");
                    Run("qemu-img", "convert", "-f", "raw", "-O", "vmdk", "-o", "subformat=streamOptimized", raw, source);
                }
                var label = $"{virtualMiB} MiB / {dataMiB} MiB data";
                var baseline = new List<double>();
                var portal = coroutines.ToDictionary(m => m, _ => new List<double>());
                long written = 0;
                for (var round = 0; round < rounds; round++)
                {
                    baseline.Add(Baseline(source, format, Path.Combine(folder, "baseline.raw"), virtualMiB * MiB, folder));
                    foreach (var m in coroutines)
                    {
                        var (seconds, data) = await PortalAsync(source, format, Path.Combine(folder, "portal.raw"), virtualMiB * MiB, m, folder);
                        portal[m].Add(seconds);
                        written = data;
                        Verify(raw, Path.Combine(folder, "portal.raw"));
                        File.Delete(Path.Combine(folder, "portal.raw"));
                    }
                }
                var baseSeconds = Median(baseline);
                Console.WriteLine($"| {label} | {format} | nbdkit noextents + qemu-img | {baseSeconds:F2} | {virtualMiB / baseSeconds:F0} | |");
                foreach (var m in coroutines)
                {
                    var seconds = Median(portal[m]);
                    Console.WriteLine($"| {label} | {format} | portal converter -m {m} | {seconds:F2} | {virtualMiB / seconds:F0} | {written / MiB} |");
                }
                foreach (var m in coroutines)
                    Console.WriteLine($"ratio {label} {format} -m {m}: portal / stock = {Median(portal[m]) / baseSeconds:F2}");
                File.Delete(raw);
                if (source != raw) File.Delete(source);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<(double Seconds, long Data)> PortalAsync(string source, DiskImageFormat format, string target, long capacity, int m, string folder)
    {
        var converter = new QemuImgDiskConverter(Options.Create(new ConversionOptions { Coroutines = m, WorkDirectory = folder }), TimeProvider.System,
            NullLogger<QemuImgDiskConverter>.Instance);
        await using var disk = new FileDisk(source, format);
        await using var sink = new SparseFileSink(target, capacity);
        var watch = Stopwatch.StartNew();
        await converter.ConvertAsync(disk, capacity, sink, _ => Task.CompletedTask, CancellationToken.None);
        await sink.FinishAsync(CancellationToken.None);
        return (watch.Elapsed.TotalSeconds, sink.DataBytes);
    }

    private static double Baseline(string source, DiskImageFormat format, string target, long capacity, string folder)
    {
        var socket = Path.Combine(folder, "nbdkit.sock");
        var watch = Stopwatch.StartNew();
        using var nbdkit = Process.Start(new ProcessStartInfo("nbdkit")
        {
            ArgumentList = { "--foreground", "--readonly", "--unix", socket, "--filter=noextents", "file", source },
        })!;
        try
        {
            while (!File.Exists(socket)) Thread.Sleep(5);
            Run("qemu-img", "convert", "-f", format == DiskImageFormat.Vmdk ? "vmdk" : "raw", "-O", "raw", $"nbd+unix:///?socket={socket}", target);
            return watch.Elapsed.TotalSeconds;
        }
        finally
        {
            nbdkit.Kill();
            nbdkit.WaitForExit();
            File.Delete(socket);
            if (new FileInfo(target).Length != capacity) throw new InvalidOperationException("baseline produced a disk of the wrong size");
            File.Delete(target);
        }
    }

    private static void Verify(string expected, string actual)
    {
        using var compare = Process.Start(new ProcessStartInfo("qemu-img") { ArgumentList = { "compare", "-q", "-f", "raw", "-F", "raw", expected, actual } })!;
        compare.WaitForExit();
        if (compare.ExitCode != 0) throw new InvalidOperationException($"the portal's conversion differs from the source (qemu-img compare: {compare.ExitCode})");
    }

    private static void Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} failed: {errors}");
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    /// <summary>The tests' fixture: random data in 2 MiB runs spread over the disk, zeros between, one run touching the end.</summary>
    private static void WriteScatteredRaw(string path, long capacity, long dataBytes)
    {
        const int run = (int)(2 * MiB);
        var runs = (int)(dataBytes / run);
        var slot = capacity / runs;
        var random = new Random(12);
        var buffer = new byte[run];
        using var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write);
        RandomAccess.SetLength(handle, capacity);
        for (var i = 0; i < runs; i++)
        {
            random.NextBytes(buffer);
            var offset = i == runs - 1 ? capacity - run : i * slot + random.NextInt64(0, slot - run) / 4096 * 4096;
            RandomAccess.Write(handle, buffer, offset);
        }
    }

    private sealed class FileDisk(string path, DiskImageFormat format) : IRandomAccessDisk
    {
        private readonly SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.Asynchronous);

        public long Length { get; } = new FileInfo(path).Length;

        public DiskImageFormat Format => format;

        public ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken ct) => RandomAccess.ReadAsync(handle, buffer, offset, ct);

        public ValueTask DisposeAsync()
        {
            handle.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Like the sparse libvirt upload: data written at the position, a hole only moves it.</summary>
    private sealed class SparseFileSink(string path, long capacity) : IDiskSink
    {
        private readonly SafeFileHandle handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read, FileOptions.Asynchronous);

        public long Capacity => capacity;

        public long Position { get; private set; }

        public long DataBytes { get; private set; }

        public async Task WriteAsync(ReadOnlyMemory<byte> data, CancellationToken ct)
        {
            await RandomAccess.WriteAsync(handle, data, Position, ct);
            Position += data.Length;
            DataBytes += data.Length;
        }

        public Task SkipAsync(long length, CancellationToken ct)
        {
            Position += length;
            return Task.CompletedTask;
        }

        public Task FinishAsync(CancellationToken ct)
        {
            RandomAccess.SetLength(handle, capacity);
            return Task.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            handle.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
