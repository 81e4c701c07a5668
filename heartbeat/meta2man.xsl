<?xml version="1.0"?>
<!-- SPDX-License-Identifier: GPL-2.0-or-later
     Turns an agent's metadata XML into a roff man page (section 7), as
     resource-agents does for its own agents. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
<xsl:output method="text" encoding="UTF-8"/>
<xsl:strip-space elements="*"/>

<xsl:template name="roff">
  <xsl:param name="s"/>
  <!-- a line starting with . or ' would be a roff request -->
  <xsl:value-of select="translate(normalize-space($s), '&#92;', '/')"/>
</xsl:template>

<xsl:template match="/resource-agent">
<xsl:text>.TH OCF_PMMHA_</xsl:text>
<xsl:value-of select="translate(@name, 'abcdefghijklmnopqrstuvwxyz-', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ_')"/>
<xsl:text> 7 "" "pmmha </xsl:text><xsl:value-of select="@version"/>
<xsl:text>" "OCF resource agents"&#10;.SH NAME&#10;ocf_pmmha_</xsl:text>
<xsl:value-of select="@name"/><xsl:text> \- </xsl:text>
<xsl:call-template name="roff"><xsl:with-param name="s" select="shortdesc"/></xsl:call-template>
<xsl:text>&#10;.SH SYNOPSIS&#10;.B pcs resource create&#10;.I NAME&#10;.B ocf:pmmha:</xsl:text>
<xsl:value-of select="@name"/>
<xsl:for-each select="parameters/parameter[@required='1']">
  <xsl:text> </xsl:text><xsl:value-of select="@name"/><xsl:text>=</xsl:text>
  <xsl:text>\fI</xsl:text><xsl:value-of select="translate(@name, 'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')"/><xsl:text>\fR</xsl:text>
</xsl:for-each>
<xsl:text>&#10;.SH DESCRIPTION&#10;</xsl:text>
<xsl:call-template name="roff"><xsl:with-param name="s" select="longdesc"/></xsl:call-template>
<xsl:text>&#10;.SH PARAMETERS&#10;</xsl:text>
<xsl:for-each select="parameters/parameter">
  <xsl:text>.TP&#10;.B </xsl:text><xsl:value-of select="@name"/>
  <xsl:if test="@required='1'"><xsl:text> (required)</xsl:text></xsl:if>
  <xsl:text>&#10;</xsl:text>
  <xsl:call-template name="roff"><xsl:with-param name="s" select="longdesc"/></xsl:call-template>
  <xsl:text>&#10;.br&#10;Type: </xsl:text><xsl:value-of select="content/@type"/>
  <xsl:if test="string(content/@default)"><xsl:text>; default: </xsl:text><xsl:value-of select="content/@default"/></xsl:if>
  <xsl:text>&#10;</xsl:text>
</xsl:for-each>
<xsl:text>.SH OPERATIONS&#10;</xsl:text>
<xsl:for-each select="actions/action">
  <xsl:text>.TP&#10;.B </xsl:text><xsl:value-of select="@name"/><xsl:text>&#10;timeout </xsl:text><xsl:value-of select="@timeout"/>
  <xsl:if test="@interval"><xsl:text>, interval </xsl:text><xsl:value-of select="@interval"/></xsl:if>
  <xsl:if test="@depth"><xsl:text>, depth </xsl:text><xsl:value-of select="@depth"/></xsl:if>
  <xsl:if test="@role"><xsl:text>, role </xsl:text><xsl:value-of select="@role"/></xsl:if>
  <xsl:text>&#10;</xsl:text>
</xsl:for-each>
<xsl:text>.SH EXIT STATUS&#10;OCF return codes; on failure the last line on standard error is&#10;.B ocf-exit-reason:&#10;followed by what the operator must fix.&#10;.SH SEE ALSO&#10;ocf-tester(8), pcs(8), crm_mon(8)&#10;</xsl:text>
</xsl:template>
</xsl:stylesheet>
