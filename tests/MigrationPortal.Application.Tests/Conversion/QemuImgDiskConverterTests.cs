using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Infrastructure.Conversion;
using Xunit.Abstractions;

namespace MigrationPortal.Application.Tests.Conversion;

/// <summary>
/// The converter against the real qemu-img (Debian's qemu-utils): qemu-img reads the source through one of the portal's
/// NBD servers and writes through the other into a sink that only moves forward, like the sparse libvirt upload.
/// </summary>
public sealed class QemuImgDiskConverterTests(ConversionFixture fixture, ITestOutputHelper output) : IClassFixture<ConversionFixture>, IDisposable
{
    private readonly string work = Directory.CreateTempSubdirectory("mp-conv-").FullName;
    private readonly List<long> progress = [];

    public void Dispose() => Directory.Delete(work, recursive: true);

    [Fact]
    public async Task ConvertAsync_WritesIdenticalBytesWithHoles_WhenSourceIsRaw()
    {
        await using var source = new FileDisk(fixture.RawPath, DiskImageFormat.Raw);
        var target = Path.Combine(work, "out.raw");
        await using var sink = new SparseFileSink(target, ConversionFixture.Capacity);

        var watch = Stopwatch.StartNew();
        await Converter().ConvertAsync(source, ConversionFixture.Capacity, sink, Record, CancellationToken.None);
        watch.Stop();
        await sink.FinishAsync(CancellationToken.None);
        output.WriteLine($"raw 1 GiB / 200 MiB: {watch.Elapsed.TotalSeconds:F2} s, {ConversionFixture.Capacity / DiskImages.MiB / watch.Elapsed.TotalSeconds:F0} MiB/s of capacity; sink {sink.DataBytes} data bytes in {sink.Holes} holes");

        Assert.Equal(0, DiskImages.Compare(fixture.RawPath, target));
        Assert.InRange(sink.DataBytes, ConversionFixture.Data, ConversionFixture.Capacity / 2);
        Assert.True(sink.Holes > 1, $"the sink saw {sink.Holes} holes");
        Assert.Equal(source.BytesServed, progress[^1]);
        Assert.Equal(ConversionFixture.Capacity, progress[^1]);
        Assert.Equal(progress.Order(), progress);
        Assert.Equal([target], Directory.GetFileSystemEntries(work));
    }

    [Fact]
    public async Task ConvertAsync_WritesIdenticalBytesWithHoles_WhenSourceIsStreamOptimizedVmdk()
    {
        await using var source = new FileDisk(fixture.StreamOptimizedVmdkPath, DiskImageFormat.Vmdk);
        var target = Path.Combine(work, "out.raw");
        await using var sink = new SparseFileSink(target, ConversionFixture.Capacity);

        var watch = Stopwatch.StartNew();
        await Converter().ConvertAsync(source, ConversionFixture.Capacity, sink, Record, CancellationToken.None);
        watch.Stop();
        await sink.FinishAsync(CancellationToken.None);
        output.WriteLine($"streamOptimized VMDK ({source.Length} bytes) to 1 GiB raw: {watch.Elapsed.TotalSeconds:F2} s; sink {sink.DataBytes} data bytes in {sink.Holes} holes");

        Assert.Equal(0, DiskImages.Compare(fixture.RawPath, target));
        Assert.InRange(sink.DataBytes, ConversionFixture.Data, ConversionFixture.Capacity / 2);
        Assert.True(sink.Holes > 1, $"the sink saw {sink.Holes} holes");
        // qemu-img reads compressed grains with a double-size buffer, so about twice the image is served; progress counts each byte once.
        Assert.True(source.BytesServed > source.Length, $"{source.BytesServed} bytes served");
        Assert.InRange(progress[^1], source.Length * 9 / 10, source.Length);
        Assert.Equal(progress.Order(), progress);
    }

    [Fact]
    public async Task ConvertAsync_FailsWithTheSourcesReasonAndLeavesNothing_WhenSourceThrowsMidRead()
    {
        await using var source = new FileDisk(fixture.RawPath, DiskImageFormat.Raw)
        {
            Failure = new ConnectorException("ExportAborted", "The export lease was aborted by vCenter."),
            FailAfterBytes = 64 * DiskImages.MiB,
        };
        await using var sink = new SparseFileSink(Path.Combine(work, "out.raw"), ConversionFixture.Capacity);

        var error = await Assert.ThrowsAsync<ConnectorException>(() =>
            Converter().ConvertAsync(source, ConversionFixture.Capacity, sink, Record, CancellationToken.None));

        Assert.Equal("ExportAborted", error.FaultType);
        Assert.Contains("The export lease was aborted by vCenter.", error.Message);
        Assert.Contains("Reading the source disk failed", error.Message);
        Assert.Contains("qemu-img", error.Message);
        Assert.Empty(DiskImages.ProcessesMentioning(work));
        Assert.Equal([Path.Combine(work, "out.raw")], Directory.GetFileSystemEntries(work));
    }

    [Fact]
    public async Task ConvertAsync_KillsQemuImgAndLeavesNothing_WhenCancelled()
    {
        await using var source = new FileDisk(fixture.RawPath, DiskImageFormat.Raw) { HangAfterBytes = 32 * DiskImages.MiB };
        await using var sink = new SparseFileSink(Path.Combine(work, "out.raw"), ConversionFixture.Capacity);
        using var cancel = new CancellationTokenSource();

        var conversion = Converter().ConvertAsync(source, ConversionFixture.Capacity, sink, Record, cancel.Token);
        await source.Hanging.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var running = DiskImages.ProcessesMentioning(work);
        Assert.Single(running);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => conversion);
        Assert.False(Directory.Exists($"/proc/{running[0]}") && DiskImages.ProcessesMentioning(work).Contains(running[0]), "qemu-img still runs");
        Assert.Equal([Path.Combine(work, "out.raw")], Directory.GetFileSystemEntries(work));
    }

    [Fact]
    public async Task ConvertAsync_FailsWithQemuImgsOwnError_WhenSourceIsNotTheFormatItClaims()
    {
        await using var source = new FileDisk(fixture.RawPath, DiskImageFormat.Vmdk);
        await using var sink = new SparseFileSink(Path.Combine(work, "out.raw"), ConversionFixture.Capacity);

        var error = await Assert.ThrowsAsync<ConnectorException>(() =>
            Converter().ConvertAsync(source, ConversionFixture.Capacity, sink, Record, CancellationToken.None));

        Assert.Equal(QemuImgDiskConverter.FaultType, error.FaultType);
        Assert.Contains("qemu-img convert failed with exit code 1", error.Message);
        Assert.Contains("vmdk", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, sink.Position);
    }

    [Fact]
    public async Task ConvertAsync_NamesTheSetting_WhenQemuImgCannotBeStarted()
    {
        await using var source = new FileDisk(fixture.RawPath, DiskImageFormat.Raw);
        await using var sink = new SparseFileSink(Path.Combine(work, "out.raw"), ConversionFixture.Capacity);
        var converter = Converter(new ConversionOptions { QemuImgPath = Path.Combine(work, "no-qemu-img"), WorkDirectory = work });

        var error = await Assert.ThrowsAsync<ConnectorException>(() =>
            converter.ConvertAsync(source, ConversionFixture.Capacity, sink, Record, CancellationToken.None));

        Assert.Equal(QemuImgDiskConverter.FaultType, error.FaultType);
        Assert.Contains("Conversion:QemuImgPath", error.Message);
        Assert.Equal([Path.Combine(work, "out.raw")], Directory.GetFileSystemEntries(work));
    }

    private Task Record(long bytes)
    {
        lock (progress)
        {
            progress.Add(bytes);
        }
        return Task.CompletedTask;
    }

    private QemuImgDiskConverter Converter(ConversionOptions? options = null) =>
        new(Options.Create(options ?? new ConversionOptions { WorkDirectory = work, ProgressInterval = TimeSpan.FromMilliseconds(100) }),
            TimeProvider.System, NullLogger<QemuImgDiskConverter>.Instance);
}
