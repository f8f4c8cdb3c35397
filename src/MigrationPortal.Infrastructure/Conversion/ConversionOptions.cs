using System.ComponentModel.DataAnnotations;

namespace MigrationPortal.Infrastructure.Conversion;

/// <summary>
/// Where the disk converter finds qemu-img and keeps its NBD sockets (section "Conversion"). The work directory holds only
/// a private 0700 folder per conversion with two unix sockets, never a copy of a disk.
/// </summary>
public sealed class ConversionOptions
{
    public const string Section = "Conversion";

    /// <summary>The qemu-img executable (Debian: package qemu-utils); a bare name is looked up on PATH.</summary>
    [Required]
    public string QemuImgPath { get; set; } = "qemu-img";

    /// <summary>Where each conversion's private socket folder is made; null or empty for the system's temporary folder.</summary>
    public string? WorkDirectory { get; set; }

    /// <summary>
    /// qemu-img's parallel coroutines (its -m). Reads of the source run in parallel; writes still reach the sink in order
    /// (qemu-img keeps them in order unless -W is given, which the converter never gives).
    /// </summary>
    [Range(1, 16)]
    public int Coroutines { get; set; } = 8;

    /// <summary>How often the bytes read from the source are reported as progress.</summary>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromSeconds(1);
}
