using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using MigrationPortal.Domain.Utilisation;

namespace MigrationPortal.Infrastructure.Persistence;

internal sealed class UtilisationConfiguration : IEntityTypeConfiguration<UtilisationSample>
{
    public void Configure(EntityTypeBuilder<UtilisationSample> b)
    {
        // The key is the "one sample per subject, resolution and slot" constraint that two collecting nodes meet, and its
        // order serves the one query the pages make (one subject's series over a time range) without another index.
        b.HasKey(s => new { s.SubjectId, s.ResolutionSeconds, s.SlotStart });
        // Retention scans by resolution and age across all subjects.
        b.HasIndex(s => new { s.ResolutionSeconds, s.SlotStart });
        b.Ignore(s => s.Start);
        b.Ignore(s => s.CpuPercent);
        b.Ignore(s => s.MemoryPercent);
    }
}
