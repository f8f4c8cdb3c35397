using MigrationPortal.Infrastructure.Conversion;

namespace MigrationPortal.Application.Tests.Conversion;

/// <summary>The write export's mapping of NBD requests onto a sink that only moves forward.</summary>
public sealed class SinkDiskExportTests : IAsyncLifetime
{
    private readonly string folder = Directory.CreateTempSubdirectory("mp-sink-").FullName;
    private SparseFileSink sink = null!;

    public Task InitializeAsync()
    {
        sink = new SparseFileSink(Path.Combine(folder, "out.raw"), 1 << 20);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await sink.DisposeAsync();
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task WriteAsync_SkipsTheGapFirst_WhenWriteIsBeyondThePosition()
    {
        var export = new SinkDiskExport(sink, sink.Capacity);

        await export.WriteAsync(0, new byte[4096], CancellationToken.None);
        await export.WriteAsync(65536, new byte[512], CancellationToken.None);

        Assert.Equal(65536 + 512, sink.Position);
        Assert.Equal(65536 - 4096, sink.HoleBytes);
        Assert.Equal(4096 + 512, sink.DataBytes);
    }

    [Fact]
    public async Task ZeroAsync_BecomesAHole_WhenAtOrBeyondThePosition()
    {
        var export = new SinkDiskExport(sink, sink.Capacity);

        await export.ZeroAsync(0, 8192, CancellationToken.None);
        await export.ZeroAsync(16384, 4096, CancellationToken.None);

        Assert.Equal(16384 + 4096, sink.Position);
        Assert.Equal(0, sink.DataBytes);
        Assert.Equal(16384 + 4096, sink.HoleBytes);
    }

    [Fact]
    public async Task WriteAsync_FailsWithEioAndSaysWhy_WhenWriteIsBehindThePosition()
    {
        var export = new SinkDiskExport(sink, sink.Capacity);
        await export.WriteAsync(8192, new byte[4096], CancellationToken.None);

        var error = await Assert.ThrowsAsync<NbdRequestException>(() => export.WriteAsync(4096, new byte[4096], CancellationToken.None).AsTask());

        Assert.Equal(NbdProtocol.EIO, error.Error);
        Assert.Contains("behind the destination's position 12288", error.Message);
        Assert.Equal(12288, sink.Position);
    }

    [Fact]
    public async Task ZeroAsync_FailsWithEio_WhenItStartsBehindThePosition()
    {
        var export = new SinkDiskExport(sink, sink.Capacity);
        await export.WriteAsync(0, new byte[4096], CancellationToken.None);

        var error = await Assert.ThrowsAsync<NbdRequestException>(() => export.ZeroAsync(0, 8192, CancellationToken.None).AsTask());

        Assert.Equal(NbdProtocol.EIO, error.Error);
        Assert.Equal(4096, sink.Position);
    }
}
