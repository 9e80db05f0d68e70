using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ReconcileApi.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class OrderSentHash : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Orders_WorkspaceId_Source_OrderId",
                table: "Orders");

            migrationBuilder.AddColumn<byte[]>(
                name: "SentHash",
                table: "Orders",
                type: "varbinary(16)",
                maxLength: 16,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Orders_WorkspaceId_Source_OrderId",
                table: "Orders",
                columns: new[] { "WorkspaceId", "Source", "OrderId" },
                unique: true)
                .Annotation("SqlServer:Include", new[] { "SentHash" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Orders_WorkspaceId_Source_OrderId",
                table: "Orders");

            migrationBuilder.DropColumn(
                name: "SentHash",
                table: "Orders");

            migrationBuilder.CreateIndex(
                name: "IX_Orders_WorkspaceId_Source_OrderId",
                table: "Orders",
                columns: new[] { "WorkspaceId", "Source", "OrderId" },
                unique: true);
        }
    }
}
