using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using MigrationPortal.Application.AccessTokens;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Access;

namespace MigrationPortal.Infrastructure.Persistence;

internal sealed class AccessTokenConfiguration : IEntityTypeConfiguration<AccessToken>
{
    public void Configure(EntityTypeBuilder<AccessToken> b)
    {
        b.HasKey(t => t.Id);
        b.Property(t => t.UserId).HasMaxLength(TextLimits.UserId);
        b.HasIndex(t => t.UserId);
        b.Property(t => t.UserName).HasMaxLength(TextLimits.Name);
        b.Property(t => t.Name).HasMaxLength(CreateAccessToken.NameLength);
        b.Property(t => t.TokenHash).HasMaxLength(64);
        // Every API call finds its token by the hash.
        b.HasIndex(t => t.TokenHash).IsUnique();
        b.Property(t => t.DisplayPrefix).HasMaxLength(16);
        b.Property(t => t.Roles).HasMaxLength(200);
        b.Property(t => t.RevokedBy).HasMaxLength(TextLimits.Name);
        b.Ignore(t => t.RoleLimit);
        b.Ignore(t => t.IsRevoked);
    }
}
