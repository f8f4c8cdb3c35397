namespace MigrationPortal.Application.Tests.Conversion;

/// <summary>
/// The fixture, made once per test class: a 1 GiB raw disk holding 200 MiB of random data at scattered offsets
/// with zeros between, and the same disk as a streamOptimized VMDK (what vSphere's ExportVm serves).
/// </summary>
public sealed class ConversionFixture : IDisposable
{
    public const long Capacity = 1024 * DiskImages.MiB;
    public const long Data = 200 * DiskImages.MiB;

    private readonly Lazy<string> vmdk;

    public ConversionFixture()
    {
        Folder = Directory.CreateTempSubdirectory("mp-conversion-fixture-").FullName;
        RawPath = Path.Combine(Folder, "disk.raw");
        DiskImages.WriteScatteredRaw(RawPath, Capacity, Data);
        vmdk = new Lazy<string>(() =>
        {
            var path = Path.Combine(Folder, "disk.vmdk");
            DiskImages.Run($"convert -f raw -O vmdk -o subformat=streamOptimized {RawPath} {path}");
            return path;
        });
    }

    public string Folder { get; }

    public string RawPath { get; }

    public string StreamOptimizedVmdkPath => vmdk.Value;

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
