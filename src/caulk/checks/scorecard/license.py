"""Scorecard's License check, computed as ``scorecard --local`` does.

Mirrors ``checks/raw/license.go`` (``reLicenseFile``, ``checkLicense`` and its helpers), the
probes ``hasLicenseFile`` / ``hasFSFOrOSIApprovedLicense`` and ``checks/evaluation/license.go``
(ossf/scorecard @ 40c1e359):

* The license file is the **first** file, in walk order, whose full path passes
  ``checkLicense``: the case-insensitive ``reLicenseFile`` regex anchored at the start (so only
  top-level names, or a top-level ``LICENSES/`` style folder), then the SPDX-id / extension
  disambiguation of ``validateSpdxIDAndExt`` and ``getLicensePath``.
* The SPDX id comes **only from the file name** (``LICENSE-MIT``, ``Apache-2.0-LICENSE``,
  ``LICENSES/GPL-3.0.md``); a bare ``LICENSE`` is ``NOASSERTION``.
* Score: +9 for a license file, +1 when the id is in Scorecard's FSF/OSI-approved map
  (case-insensitive), so ``LICENSE`` scores 9 and ``LICENSE-MIT`` 10; no file scores 0.

Deviation: with the GitHub API Scorecard takes the SPDX id from GitHub's license detection
(the file's content), so a plain ``LICENSE`` with MIT text scores 10 there and 9 here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from caulk.checks.registry import CheckResult, Risk, scorecard_check
from caulk.checks.repository.rules import NO_LICENSE
from caulk.checks.scorecard.binary_artifacts import go_ext, is_dangling_symlink
from caulk.findings import Finding
from caulk.repo.checkout import Repository

NAME = "License"

_SPDX = r"([0-9A-Za-z]+)((([-_.])[0-9]{1,2}[A-Za-z]{0,1}){0,5})"
LICENSE_FILE = re.compile(
    r"(?i)^(?P<lp>"
    rf"(?P<preSpdx>{_SPDX}(?P<preSpdxExt>(([_-])?[0-9A-Za-z.])*))?"
    r"(?P<pre>([-_]))?"
    r"(?P<detectedFile>(patent(s)?|copy(ing|right)|LICEN[SC]E(S)?))"
    r"(?P<suf>([-_./]))?"
    rf"(?P<sufSpdx>{_SPDX}(?P<sufSpdxExt>(([_-])?[0-9A-Za-z.])*))?"
    r"(?P<ext>([.]?[A-Za-z]+))?"
    r")",
    re.ASCII,
)
"""``reLicenseFile`` (Go's ``[[:digit:]]`` written ``[0-9]``)."""

LICENSE_FILE_EXTS = re.compile(
    r"(?i)(\.adoc|\.asc|\.doc(x)?|\.ext|\.html|\.markdown|\.md|\.rst|\.txt|\.xml)", re.ASCII
)
"""``reLicenseFileExts``: searched (not anchored) in the extension."""

_SPDX_DIGIT_IN_EXT = re.compile(r"\.[0-9]")

_FSF_OSI_APPROVED_IDS = """
    0BSD AAL AFL-1.1 AFL-1.2 AFL-2.0 AFL-2.1 AFL-3.0 AGPL-1.0 AGPL-3.0 AGPL-3.0-only
    AGPL-3.0-or-later APL-1.0 APSL-1.0 APSL-1.1 APSL-1.2 APSL-2.0 Apache-1.0 Apache-1.1
    Apache-2.0 Artistic-1.0 Artistic-1.0-Perl Artistic-1.0-cl8 Artistic-2.0 BSD-1-Clause
    BSD-2-Clause BSD-2-Clause-FreeBSD BSD-2-Clause-NetBSD BSD-2-Clause-Patent BSD-3-Clause
    BSD-3-Clause-Clear BSD-3-Clause-LBNL BSD-4-Clause BSL-1.0 BitTorrent-1.1 BlueOak-1.0.0
    CAL-1.0 CAL-1.0-Combined-Work-Exception CATOSL-1.1 CC-BY-4.0 CC-BY-SA-4.0 CC0-1.0
    CDDL-1.0 CECILL-2.0 CECILL-2.1 CECILL-B CECILL-C CERN-OHL-P-2.0 CERN-OHL-S-2.0
    CERN-OHL-W-2.0 CNRI-Python CPAL-1.0 CPL-1.0 CUA-OPL-1.0 ClArtistic Condor-1.1 ECL-1.0
    ECL-2.0 EFL-1.0 EFL-2.0 EPL-1.0 EPL-2.0 EUDatagrid EUPL-1.1 EUPL-1.2 Entessa FSFAP FTL
    Fair Frameworx-1.0 GFDL-1.1 GFDL-1.1-only GFDL-1.1-or-later GFDL-1.2 GFDL-1.2-only
    GFDL-1.2-or-later GFDL-1.3 GFDL-1.3-only GFDL-1.3-or-later GPL-2.0 GPL-2.0+ GPL-2.0-only
    GPL-2.0-or-later GPL-3.0 GPL-3.0+ GPL-3.0-only GPL-3.0-or-later GPL-3.0-with-GCC-exception
    HPND ICU IJG IPA IPL-1.0 ISC Imlib2 Intel Jam LGPL-2.0 LGPL-2.0+ LGPL-2.0-only
    LGPL-2.0-or-later LGPL-2.1 LGPL-2.1+ LGPL-2.1-only LGPL-2.1-or-later LGPL-3.0 LGPL-3.0+
    LGPL-3.0-only LGPL-3.0-or-later LPL-1.0 LPL-1.02 LPPL-1.2 LPPL-1.3a LPPL-1.3c LiLiQ-P-1.1
    LiLiQ-R-1.1 LiLiQ-Rplus-1.1 MIT MIT-0 MIT-Modern-Variant MPL-1.0 MPL-1.1 MPL-2.0
    MPL-2.0-no-copyleft-exception MS-PL MS-RL MirOS Motosoto MulanPSL-2.0 Multics NASA-1.3
    NCSA NGPL NOSL NPL-1.0 NPL-1.1 NPOSL-3.0 NTP Naumen Nokia Nunit OCLC-2.0 ODbL-1.0 OFL-1.0
    OFL-1.1 OFL-1.1-RFN OFL-1.1-no-RFN OGTSL OLDAP-2.3 OLDAP-2.7 OLDAP-2.8 OLFL-1.3
    OSET-PL-2.1 OSL-1.0 OSL-1.1 OSL-2.0 OSL-2.1 OSL-3.0 OpenSSL PHP-3.0 PHP-3.01 PostgreSQL
    Python-2.0 QPL-1.0 RPL-1.1 RPL-1.5 RPSL-1.0 RSCPL Ruby SGI-B-2.0 SISSL SMLNJ SPL-1.0
    SimPL-2.0 Sleepycat StandardML-NJ UCL-1.0 UPL-1.0 Unicode-3.0 Unicode-DFS-2016 Unlicense
    VSL-1.0 Vim W3C W3C-20150513 WTFPL Watcom-1.0 X11 XFree86-1.1 Xnet YPL-1.1 ZPL-2.0
    ZPL-2.1 Zend-2.0 Zimbra-1.3 Zlib eCos-2.0 gnuplot iMatix wxWindows xinetd
"""

FSF_OSI_APPROVED: frozenset[str] = frozenset(s.upper() for s in _FSF_OSI_APPROVED_IDS.split())
"""The keys of Scorecard's ``fsfOsiApprovedLicenseMap`` (uppercased, as its CI map)."""


@dataclass(frozen=True)
class LicenseFile:
    """``checker.LicenseFile`` as ``checkLicense`` builds it."""

    path: str
    """The file as listed."""
    license_path: str
    """What Scorecard reports as the path (the matched part of the name)."""
    spdx_id: str
    """The SPDX id read from the name, or ``NOASSERTION``."""

    @property
    def approved(self) -> bool:
        return self.spdx_id.upper() in FSF_OSI_APPROVED


def _groups(match: re.Match[str]) -> dict[str, str]:
    return {k: v or "" for k, v in match.groupdict().items()}


def _spdx_id(groups: dict[str, str]) -> str:
    spdx = groups["preSpdx"] or groups["sufSpdx"]
    if spdx.lower() == "un":  # "UNLICENSE": `un` lands in the SPDX group
        spdx = "UNLICENSE"
    return spdx


def _extension(name: str, groups: dict[str, str]) -> str:
    ext = go_ext(name)
    if ext and groups["detectedFile"] in ext:
        return ""  # the extension swallowed part of the detected name
    return ext


def _extension_ok(ext: str) -> bool:
    return not ext or LICENSE_FILE_EXTS.search(ext) is not None


def _validate_spdx_and_ext(groups: dict[str, str], spdx: str, ext: str) -> tuple[str, str]:
    if not spdx:
        return spdx, ext
    if ext and spdx in ext:
        spdx = ""
    if ext and spdx and ext in spdx:
        if not _extension_ok(ext) and _SPDX_DIGIT_IN_EXT.search(spdx):
            ext = ""
        else:
            spdx = spdx.replace(ext, "")
    elif ext and spdx and ext != spdx and ext != groups["ext"]:
        spdx += groups["ext"]
    return spdx, ext


def _license_path(groups: dict[str, str], name: str, spdx: str, ext: str) -> str:
    lp = groups["lp"]
    if lp != name:
        folder = groups["suf"] == "/"
        if not folder and not spdx:
            return ""
        if lp + ext == name:
            return lp + ext
        return ""
    if not _extension_ok(ext):
        return ""
    return lp


def check_license_name(name: str) -> LicenseFile | None:
    """``checkLicense``: the license file ``name`` (a full path) denotes, or None."""
    match = LICENSE_FILE.match(name)
    if match is None:
        return None
    groups = _groups(match)
    if name == groups["detectedFile"]:
        return LicenseFile(name, name, "NOASSERTION")
    spdx = _spdx_id(groups)
    ext = _extension(name, groups)
    spdx, ext = _validate_spdx_and_ext(groups, spdx, ext)
    license_path = _license_path(groups, name, spdx, ext)
    if not license_path:
        return None
    return LicenseFile(name, license_path, spdx or "NOASSERTION")


def find_license_file(repo: Repository) -> LicenseFile | None:
    """The first listed file that ``checkLicense`` accepts (``OnAllFilesDo``)."""
    for path in repo.files:
        found = check_license_name(path)
        if found is not None and not is_dangling_symlink(repo, path):
            return found
    return None


@scorecard_check(NAME, Risk.LOW)
def license_check(repo: Repository) -> CheckResult:
    """License: a top-level license file (+9) whose name carries an approved SPDX id (+1)."""
    found = find_license_file(repo)
    if found is None:
        return CheckResult(
            name=NAME,
            score=0,
            risk=Risk.LOW,
            reason="license file not detected",
            details=("Warn: project does not have a license file",),
            findings=(
                Finding(
                    rule_id=NO_LICENSE.id,
                    severity=NO_LICENSE.severity,
                    message="no license file: add LICENSE (e.g. LICENSE-Apache-2.0) at the top",
                    location=None,
                    check=NAME,
                ),
            ),
        )
    details = [f"Info: project has a license file: {found.path}"]
    if found.approved:
        details.append(f"Info: FSF or OSI recognized license: {found.spdx_id}")
    else:
        details.append(
            f"Warn: project license file does not contain an FSF or OSI license "
            f"(SPDX id from the file name: {found.spdx_id}; --local reads only the name)"
        )
    return CheckResult(
        name=NAME,
        score=9 + (1 if found.approved else 0),
        risk=Risk.LOW,
        reason="license file detected",
        details=tuple(details),
    )
