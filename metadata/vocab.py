"""Chinese terms of the case-file metadata elements (casefile.xsd names → 著录项)."""
from __future__ import annotations

#: XML element / attribute name → the Chinese term used in findings and reports.
FIELD_ZH: dict[str, str] = {
    "caseFile": "案卷", "caseNumber": "案号", "cause": "案由", "parties": "当事人",
    "party": "当事人", "role": "诉讼地位", "procedure": "审判程序", "result": "审理结果",
    "court": "审判法院", "department": "承办部门", "judge": "承办人", "clerk": "书记员",
    "panel": "合议庭成员", "member": "合议庭成员", "filingDate": "立案日期",
    "closingDate": "结案日期", "archivingDate": "归档日期", "securityLevel": "密级",
    "retention": "保管期限", "mainVolumes": "正卷册数", "secondaryVolumes": "副卷册数",
    "documentCount": "卷内文件总件数", "pageCount": "页数", "fondsNumber": "全宗号",
    "archiveNumber": "档号", "relatedCaseNumbers": "相关案号", "archivedBy": "归档者",
    "documents": "卷内文件目录", "document": "卷内文件", "sequence": "顺序号", "title": "题名",
    "creator": "责任者", "docNumber": "文号", "date": "日期", "volume": "卷别",
    "startPage": "起始页号", "originalForm": "原件形态", "paperLocation": "纸质原件存放位置",
    "format": "文件格式", "size": "文件大小", "path": "电子文件路径", "digest": "数字摘要",
    "algorithm": "摘要算法", "remarks": "备注", "version": "版本",
}


def field_zh(path: str) -> str:
    """The Chinese term of the last named step of an XPath-ish ``path``."""
    for step in reversed(path.replace("@", "/").split("/")):
        name = step.split("[", 1)[0].rsplit(":", 1)[-1]
        if name in FIELD_ZH:
            return FIELD_ZH[name]
    return path
