using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Domain.Utilisation;

namespace MigrationPortal.Infrastructure.Persistence;

internal sealed class PostMoveWatchConfiguration : IEntityTypeConfiguration<PostMoveWatch>
{
    public void Configure(EntityTypeBuilder<PostMoveWatch> b)
    {
        // One watch per request: the key is the constraint two runs (or nodes) starting the same watch meet.
        b.HasKey(w => w.RequestId);
        b.HasOne<MigrationRequest>().WithMany().HasForeignKey(w => w.RequestId).OnDelete(DeleteBehavior.Cascade);
        b.Property(w => w.State).HasConversion<string>().HasMaxLength(32)
            // Two nodes concluding one watch: the second UPDATE matches no row and is refused.
            .IsConcurrencyToken();
        b.Property(w => w.RollbackRequestId).IsConcurrencyToken();
        b.Property(w => w.Summary).HasMaxLength(2000);
        b.Property(w => w.Figures).HasMaxLength(8000).IsRequired();
        // The dispatcher's tick looks for watches still watching whose end has passed.
        b.HasIndex(w => new { w.State, w.EndsAt });
        b.Ignore(w => w.Period);
        b.Ignore(w => w.BeforeFrom);
    }
}
